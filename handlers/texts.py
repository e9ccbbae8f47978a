"""Every fixed Vietnamese sentence the bot says, in one place so wording is reviewed together."""

WELCOME = (
    "Xin chào{name}! Tôi là Trợ lý Năng suất — trợ lý tự động của chương trình hỗ trợ doanh nghiệp "
    "nâng cao năng suất, chất lượng tỉnh Quảng Ninh (Kế hoạch 273/KH-UBND).\n\n"
    "Bạn cứ gõ câu hỏi bằng tiếng Việt, có dấu hay không dấu đều được, ví dụ: «5S là gì», "
    "«sản phẩm OCOP 3 sao được hỗ trợ gì». Hoặc chọn một chủ đề bên dưới."
)
HELP = (
    "Cách dùng Trợ lý Năng suất:\n"
    "- Gõ câu hỏi như khi hỏi cán bộ, có dấu hay không dấu đều được.\n"
    "- /chude — xem các chủ đề và câu hỏi thường gặp.\n"
    "- /dangky — nhận thông báo về khóa đào tạo, chính sách hỗ trợ; /huydangky để ngừng.\n"
    "- /gapcanbo — gặp cán bộ tư vấn (có thể ghi luôn nội dung, ví dụ: /gapcanbo Tôi cần tư vấn ISO 9001); "
    "/ketthuc để quay lại Trợ lý.\n"
    "- /dulieucuatoi — xem dữ liệu tôi lưu về bạn; /xoadulieu — xóa dữ liệu đó.\n\n"
    "Tôi trả lời tự động từ bộ câu hỏi – đáp có ghi nguồn, nên có thể chưa đầy đủ; khi chưa chắc, tôi sẽ nói rõ."
)
MENU = "Các chủ đề — chọn một chủ đề để xem câu hỏi thường gặp:"
TOPIC = "{title} — chọn câu hỏi:"
TOPIC_PAGE = "{title} ({page}/{pages}) — chọn câu hỏi:"
PREVIOUS_PAGE = "‹ Trang trước"
NEXT_PAGE = "Trang sau ›"
CLARIFY = "Tôi chưa chắc bạn hỏi ý nào. Bạn chọn giúp câu gần nhất nhé:"
NONE_OF_THESE = "Không phải các câu trên"
FALLBACK = (
    "Xin lỗi, tôi chưa có câu trả lời chắc chắn cho câu hỏi này. Câu hỏi đã được ghi lại để bổ sung.\n\n"
    "{contact}\n\n"
    "Bạn cũng có thể bấm «Gặp cán bộ» để cán bộ trả lời ngay trong cuộc trò chuyện này."
)
# The same, while the department's details are unset: the contact note already offers «Gặp cán bộ».
FALLBACK_UPDATING = (
    "Xin lỗi, tôi chưa có câu trả lời chắc chắn cho câu hỏi này. Câu hỏi đã được ghi lại để bổ sung.\n\n{contact}"
)
# After a fallback's text, above the closest questions the knowledge base has (buttons or numbers).
FALLBACK_LEADS = "Có thể bạn muốn hỏi một trong các câu sau:"
# The contact block: once, at the end of answers about contacting or applying, and on fallbacks.
CONTACT_HEADING = "Liên hệ trực tiếp:"
CONTACT_ORG = "- Đơn vị: {value}"
CONTACT_PHONE = "- Điện thoại: {value}"
CONTACT_EMAIL = "- Email: {value}"
CONTACT_ADDRESS = "- Địa chỉ: {value}"
# While the department's details are unset, said plainly; never a settings name, never a guess.
CONTACT_UPDATING = (
    "Thông tin liên hệ của {org} đang được cập nhật. Bạn bấm «Gặp cán bộ» (hoặc gõ /gapcanbo) để để lại lời "
    "nhắn, cán bộ sẽ trả lời ngay trong cuộc trò chuyện này."
)
CONTACT_UPDATING_PLAIN = "Thông tin liên hệ của {org} đang được cập nhật."
SHOW_DETAIL = "Xem chi tiết"
# A message asking two things that two entries answer: both short answers, each under its label.
TWO_ANSWERS_INTRO = "Bạn hỏi hai ý, tôi trả lời lần lượt:"
TWO_ANSWERS_HEADING = "▸ {label}"
SHOW_DETAIL_OF = "Xem chi tiết: {label}"
EMPTY_QUESTION = (
    "Tôi chỉ đọc được câu hỏi bằng chữ. Bạn gõ câu hỏi giúp tôi nhé, ví dụ: «5S là gì» "
    "hoặc «đăng ký hỗ trợ như thế nào»."
)
BARE_NUMBER = "Bạn bấm vào nút trong tin nhắn ở trên để chọn, hoặc gõ câu hỏi bằng chữ nhé."
TOO_LONG = "Câu hỏi dài quá ({length} ký tự), tôi chỉ đọc {limit} ký tự đầu tiên."
UNKNOWN_COMMAND = "Tôi không biết lệnh «{command}». Gõ /huongdan để xem các lệnh, hoặc cứ gõ câu hỏi."
STALE_BUTTON = "Nút này thuộc một tin nhắn cũ và không còn dùng được. Bạn gõ /chude để xem lại các chủ đề nhé."
SOURCE = "Nguồn: {source}"
ASK_NEXT = "Hỏi tiếp:"
BACK_TO_MENU = "« Chủ đề"
MAIN_MENU = "☰ Danh sách chủ đề"
TALK_TO_HUMAN = "Gặp cán bộ"
CONSOLE_BYE = "Tạm biệt! Khi cần, bạn cứ quay lại hỏi nhé."
CONSOLE_CHOOSE = "Gõ số để chọn, 0 để quay lại, hoặc gõ câu hỏi mới."
CONSOLE_NOTHING_TO_GO_BACK = "Không còn gì để quay lại. Gõ /chude để xem các chủ đề."
CONSOLE_BAD_NUMBER = "Không có lựa chọn số {number}. Hãy gõ số trong danh sách, hoặc gõ câu hỏi."

# -- people: subscriptions, data, feedback, handoff --------------------------------------------------
SUBSCRIBE_OFFER = "🔔 Nhận thông báo"
SUBSCRIBE_CHOOSE = (
    "Bạn muốn nhận thông báo (khóa đào tạo, chính sách hỗ trợ, hạn đăng ký) về chủ đề nào?\n\n"
    "Khi đăng ký, bạn đồng ý để tôi lưu mã cuộc trò chuyện, tên hiển thị và chủ đề đã chọn để gửi thông "
    "báo. Bạn có thể hủy bất cứ lúc nào bằng /huydangky, xem dữ liệu bằng /dulieucuatoi và xóa "
    "bằng /xoadulieu."
)
SUBSCRIBE_ALL = "Tất cả chủ đề"
SUBSCRIBED = "Đã đăng ký nhận thông báo về: {topics}. Cảm ơn bạn! Gõ /huydangky để hủy bất cứ lúc nào."
UNSUBSCRIBED = "Đã hủy đăng ký. Bạn sẽ không nhận thông báo nữa."
# Every campaign message ends with a way out: a button on Telegram, this line where there are no buttons.
OPT_OUT_BUTTON = "🔕 Hủy nhận tin"
OPT_OUT_LINE = "Để ngừng nhận thông báo, nhắn: HỦY NHẬN TIN"
NOT_SUBSCRIBED = "Bạn chưa đăng ký nhận thông báo. Gõ /dangky nếu muốn đăng ký."
MY_DATA = (
    "Dữ liệu tôi đang lưu về bạn (kênh {channel}, mã cuộc trò chuyện {chat_id}):\n"
    "1. Hồ sơ trò chuyện: tên hiển thị «{name}»; lần đầu {first_seen}, gần nhất {last_seen}; "
    "câu hỏi gần nhất: {recent}\n"
    "2. Nhận thông báo: {subscription}\n"
    "3. Đánh giá 👍/👎: {feedback}\n"
    "4. Yêu cầu gặp cán bộ: {handoffs}, với {handoff_messages} tin nhắn trao đổi\n"
    "5. Câu hỏi chưa trả lời được do bạn hỏi: {questions} (đã che số điện thoại, email, mã số thuế, tên)\n"
    "6. Tin thông báo đã gửi tới bạn: {deliveries}\n"
    "7. Trạng thái hội thoại tạm thời (đang chọn, đang soạn…): {state}, tự xóa sau tối đa {state_hours} giờ\n\n"
    "Thời hạn lưu: câu hỏi và đánh giá {questions_days} ngày; yêu cầu gặp cán bộ {requests_days} ngày sau khi "
    "kết thúc; hồ sơ của người không đăng ký nhận thông báo {inactive_days} ngày kể từ lần trò chuyện cuối.\n"
    "Gõ /xoadulieu để xóa toàn bộ dữ liệu này (quyền của bạn theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15)."
)
NO_DATA = "Tôi không lưu dữ liệu nào về bạn."
DELETE_CONFIRM = "Bạn chắc chắn muốn xóa toàn bộ dữ liệu tôi lưu về bạn (kể cả đăng ký nhận thông báo)?"
DELETE_YES = "Xóa dữ liệu của tôi"
DELETE_NO = "Không, giữ lại"
DELETED = "Đã xóa toàn bộ dữ liệu của bạn. Nếu bạn nhắn tiếp, tôi sẽ coi như lần đầu trò chuyện."
KEPT = "Đã giữ nguyên dữ liệu của bạn."
FEEDBACK_UP = "👍"
FEEDBACK_DOWN = "👎"
FEEDBACK_THANKS = "Cảm ơn bạn đã đánh giá!"
FEEDBACK_CHOSEN = "{mark} ✓"
FEEDBACK_SORRY = (
    "Xin lỗi vì câu trả lời chưa tốt. Bạn gõ ngay góp ý trong tin nhắn tiếp theo nhé (điều gì chưa đúng, bạn cần "
    "thông tin gì), hoặc bấm «Gặp cán bộ»."
)
FEEDBACK_SKIP = "Bỏ qua"
FEEDBACK_SKIPPED = "Vâng. Bạn cứ gõ câu hỏi tiếp theo nhé."
FEEDBACK_WRITE = "✍️ Viết góp ý"
FEEDBACK_ASK_COMMENT = "Bạn gõ góp ý trong tin nhắn tiếp theo nhé (điều gì chưa đúng, bạn cần thông tin gì)."
FEEDBACK_COMMENT_SAVED = "Đã ghi nhận góp ý. Cảm ơn bạn!"
# -- talking to staff ----------------------------------------------------------------------------------
HANDOFF_ASK = (
    "Bạn đang trò chuyện với cán bộ của chương trình (yêu cầu #{ref}). Bạn ghi ngắn gọn bạn cần gì: tên "
    "doanh nghiệp, nội dung cần tư vấn, số điện thoại nếu muốn cán bộ gọi lại. Mọi tin nhắn bạn gửi từ giờ "
    "sẽ tới cán bộ; gõ /ketthuc để quay lại Trợ lý."
)
HANDOFF_OPENED = (
    "Đã chuyển tới cán bộ (yêu cầu #{ref}). Cán bộ sẽ trả lời ngay trong cuộc trò chuyện này, trong giờ làm "
    "việc. Bạn cứ nhắn thêm nếu cần, tin nhắn sẽ tới cán bộ; gõ /ketthuc để quay lại Trợ lý."
)
HANDOFF_ALREADY = (
    "Bạn đang trò chuyện với cán bộ (yêu cầu #{ref}). Cứ nhắn tiếp, tin nhắn sẽ tới cán bộ; gõ /ketthuc "
    "để quay lại Trợ lý."
)
HANDOFF_FORWARDED = "✓ Đã chuyển tới cán bộ."
HANDOFF_NOT_FORWARDED = "Chưa chuyển được tin nhắn tới cán bộ (đã lưu trong yêu cầu #{ref}).\n\n{contact}"
HANDOFF_NO_STAFF = (
    "Hiện chưa có cán bộ trực tuyến qua Trợ lý. Yêu cầu của bạn đã được ghi lại (mã #{ref}).\n\n{contact}"
)
HANDOFF_END = "Kết thúc, quay lại Trợ lý"
HANDOFF_ENDED_BY_USER = "Đã kết thúc trò chuyện với cán bộ (yêu cầu #{ref}). Bạn cứ gõ câu hỏi, tôi sẽ trả lời."
HANDOFF_NOTHING_TO_END = "Bạn không có cuộc trò chuyện nào với cán bộ đang mở. Cứ gõ câu hỏi, tôi sẽ trả lời."
HANDOFF_TAKEN_FOR_USER = "Cán bộ {name} đã nhận yêu cầu #{ref} của bạn và sẽ trả lời tại đây."
HANDOFF_CLOSED_FOR_USER = (
    "Cán bộ đã kết thúc cuộc trò chuyện (yêu cầu #{ref}).{note} Cảm ơn bạn! Bạn cứ gõ câu hỏi, tôi sẽ trả lời."
)
HANDOFF_CLOSE_NOTE = " Ghi chú: {note}"
STAFF_ANSWER = "💬 Cán bộ{name} trả lời:\n{text}"
# Staff side: the staff chat, or a staff member writing to the bot.
STAFF_NEW_REQUEST = (
    "🙋 Yêu cầu gặp cán bộ #{ref}\nTừ: {name} ({channel})\nNội dung: {question}\n\n"
    "Trả lời: trả lời (reply) tin nhắn này, hoặc /traloi {ref} <nội dung>. Nhận: /nhan {ref}. "
    "Kết thúc: /ketthuc {ref} <ghi chú>."
)
STAFF_USER_SAID = "💬 #{ref} · {name}:\n{text}"
STAFF_USER_ENDED = "#{ref}: người dùng đã kết thúc cuộc trò chuyện."
STAFF_USER_ERASED = "#{ref}: người dùng đã xóa dữ liệu của mình; yêu cầu và nội dung trao đổi đã bị xóa."
STAFF_REPLY_SENT = "✓ Đã gửi tới {name} (#{ref})."
STAFF_REPLY_BLOCKED = "✗ Chưa gửi được cho yêu cầu #{ref}: người dùng đã chặn Trợ lý. Yêu cầu vẫn mở."
STAFF_REPLY_FAILED = "✗ Chưa gửi được cho yêu cầu #{ref} (nền tảng từ chối hoặc không phản hồi). Bạn thử lại sau."
STAFF_REQUEST_USAGE = "Cách dùng: /{command} <mã yêu cầu> {rest}(mã như 12-K7QF, hoặc 12)"
STAFF_REQUEST_NOT_FOUND = "Không tìm thấy yêu cầu #{ref} (có thể người dùng đã xóa dữ liệu)."
STAFF_REQUEST_CLOSED = "Yêu cầu #{ref} đã kết thúc; không gửi được nữa."
STAFF_NO_THREAD = (
    "Tin nhắn bạn trả lời không thuộc yêu cầu nào đang lưu (có thể người dùng đã xóa dữ liệu). "
    "Gõ /yeucau để xem các yêu cầu đang mở."
)
STAFF_TAKEN = "Bạn đã nhận yêu cầu #{ref} ({name})."
STAFF_CLOSED = "Đã kết thúc yêu cầu #{ref}; người dùng đã được báo."
STAFF_NO_REQUESTS = "Không có yêu cầu nào đang mở."
STAFF_REQUESTS = "Yêu cầu đang mở (chờ lâu nhất ở trên):"
STAFF_REQUEST_LINE = "#{ref} · {name} · {channel} · {status} · {when}"
STAFF_TRANSCRIPT = "Yêu cầu #{ref} — {name} ({channel}) — {status}\n{lines}"
STAFF_TRANSCRIPT_LINE = "[{when}] {who}: {text}"
STAFF_VIEW = "Xem #{ref}"
STAFF_TAKE = "Nhận"
STAFF_CLOSE = "Kết thúc"
USER_LABEL = "Người dùng"
STAFF_LABEL = "Cán bộ"
STAFF_ONLY = "Lệnh này chỉ dành cho cán bộ của chương trình."
PRIVATE_ONLY = (
    "Trong nhóm, tôi chỉ trả lời câu hỏi. Để đăng ký nhận thông báo, đánh giá câu trả lời, gặp cán bộ "
    "hoặc xem, xóa dữ liệu của bạn, bạn nhắn riêng cho tôi nhé."
)
FLOOD = "Bạn gửi tin nhắn hơi nhanh. Tôi sẽ trả lời lần lượt từng tin, bạn chờ một chút nhé (khoảng {seconds} giây)."
FLOOD_DROPPED = "Bạn gửi quá nhiều tin nhắn cùng lúc; tôi bỏ qua các tin sau cùng. Bạn chờ một phút rồi gửi lại nhé."
INTERNAL_ERROR = "Xin lỗi, tôi vừa gặp trục trặc khi xử lý tin nhắn này. Bạn thử lại sau ít phút nhé."

# -- staff: campaigns ---------------------------------------------------------------------------------
CAMPAIGN_ASK_TEXT = "Soạn chiến dịch mới. Gõ nội dung thông báo (có thể dùng {name} để chèn tên người nhận):"
CAMPAIGN_ASK_AUDIENCE = "Gửi cho ai? (số trong ngoặc là số người nhận hiện có)"
CAMPAIGN_ASK_TIME = (
    "Khi nào gửi? Bấm «Gửi ngay», hoặc gõ thời điểm theo giờ Việt Nam, ví dụ: 05/12/2026 08:00 · 5/12 8h · "
    "8h sáng mai · thứ Hai hàng tuần lúc 8h · ngày 5 hàng tháng 9h"
)
CAMPAIGN_NOW = "Gửi ngay"
CAMPAIGN_PREVIEW = "Xem trước tin nhắn người nhận sẽ thấy:"
CAMPAIGN_SUMMARY = "Người nhận: {audience} — {size} người\nThời điểm: {when}\nẢnh: {image}"
CAMPAIGN_NO_IMAGE = "không có"
CAMPAIGN_CONFIRM_HINT = "Bấm «Xác nhận gửi» để lên lịch, hoặc «Gửi thử cho tôi» để xem tin trên điện thoại trước."
CAMPAIGN_NOBODY = "Danh sách này hiện không có ai nên chưa gửi được. Bạn bấm «Hủy soạn» rồi chọn người nhận khác."
CAMPAIGN_CONFIRM = "✅ Xác nhận gửi"
CAMPAIGN_TEST = "📨 Gửi thử cho tôi"
CAMPAIGN_ADD_IMAGE = "🖼 Thêm ảnh"
CAMPAIGN_DROP_IMAGE = "🖼 Bỏ ảnh"
CAMPAIGN_ASK_IMAGE = (
    "Gửi đường dẫn ảnh (bắt đầu bằng https://, tệp JPG hoặc PNG). Nội dung thông báo sẽ là chú thích của ảnh."
)
CAMPAIGN_TEST_SENT = "Tin gửi thử (chỉ bạn nhận được), đúng như người nhận sẽ thấy:"
CAMPAIGN_ABORT = "✖ Hủy soạn"
CAMPAIGN_ABORTED = "Đã hủy bản soạn."
CAMPAIGN_USE_BUTTONS = "Bạn chọn bằng các nút ở tin nhắn trên, hoặc bấm «Hủy soạn»."
CAMPAIGN_PROBLEM = "Chưa tạo được: {problem}. Bạn sửa lại rồi gửi tiếp nhé."
CAMPAIGN_TEXT_TOO_LONG_FOR = (
    "Chưa chọn được: {problem}. Bạn chọn người nhận khác (ví dụ «Chỉ Telegram») hoặc «Hủy soạn»."
)
CAMPAIGN_CREATED = "Đã tạo chiến dịch #{id}. Tin nhắn sẽ đi theo giới hạn tốc độ của từng kênh và giờ yên lặng."
CAMPAIGN_PROGRESS = "Xem tiến độ"
CAMPAIGN_NONE = "Chưa có chiến dịch nào."
CAMPAIGN_LIST_LINE = "#{id} · {status} · đã gửi {sent}/{total} — {text}"
CAMPAIGN_STATUS = "Chiến dịch #{id} — {status}\nNgười nhận: {audience}\nThời điểm: {when}\nNội dung: {text}\n"
CAMPAIGN_REFRESH = "🔄 Làm mới"
CAMPAIGN_CANCEL = "Hủy chiến dịch"
CAMPAIGN_CANCEL_ASK = "Hủy chiến dịch #{id}? {waiting} tin chưa gửi sẽ bị bỏ; {sent} tin đã gửi thì không thu hồi được."
CAMPAIGN_CANCEL_YES = "Có, hủy chiến dịch"
CAMPAIGN_KEEP = "Không, giữ nguyên"
CAMPAIGN_RESEND = "Gửi lại các tin chưa rõ"
CAMPAIGN_RESEND_ASK = (
    "Gửi lại {count} tin chưa rõ của chiến dịch #{id}? Những tin này có thể đã tới nơi, nên người nhận có thể "
    "nhận hai lần."
)
CAMPAIGN_RESEND_YES = "Có, gửi lại"
CAMPAIGN_REPORT = "📊 Báo cáo (Excel)"
CAMPAIGN_REPORT_READY = (
    "Báo cáo gửi tin của chiến dịch #{id}. Trên máy chủ, lệnh «python -m bot campaign report {id}» tạo cùng tệp này."
)
FILE_NOT_ON_CHANNEL = (
    "(Kênh này không nhận tệp nên «{name}» chưa gửi được: bạn lấy trên Telegram hoặc bằng lệnh ở trên.)"
)
CAMPAIGN_CANCELLED = "Chiến dịch #{id}: {result}"
CAMPAIGN_RESENT = "Chiến dịch #{id}: {count} tin chưa rõ sẽ được gửi lại (người nhận có thể nhận hai lần)."

# -- applying for support: the guided form ------------------------------------------------------------
APPLY_BUTTON = "📝 Đăng ký nhận hỗ trợ"
HELP_APPLY = (
    "\n\nĐăng ký nhận hỗ trợ (gửi hồ sơ cho cán bộ ngay trong chat): /dangkyhotro; xem các hồ sơ đã gửi và "
    "trạng thái: /hoso."
)
APPLY_CONSENT = (
    "📝 Đăng ký nhận hỗ trợ nâng cao năng suất, chất lượng\n\n"
    "Tôi sẽ hỏi lần lượt: tên doanh nghiệp, mã số thuế, xã/phường/đặc khu, ngành nghề, sản phẩm OCOP (nếu có), "
    "nội dung cần hỗ trợ, người liên hệ và số điện thoại. Bạn có thể bấm «◀ Quay lại» hoặc «✖ Dừng» bất cứ lúc "
    "nào; chưa bấm «Gửi hồ sơ» ở bước cuối thì không có gì được lưu thành hồ sơ.\n\n"
    "Đồng ý xử lý dữ liệu cá nhân (Nghị định 13/2023/NĐ-CP): khi bạn gửi, tôi lưu các thông tin trên cùng mã "
    "cuộc trò chuyện và tên hiển thị của bạn, để cán bộ chương trình hỗ trợ doanh nghiệp nâng cao năng suất, "
    "chất lượng tỉnh Quảng Ninh xem xét, liên hệ và báo trạng thái hồ sơ cho bạn tại đây. Địa bàn, ngành nghề, "
    "hạng OCOP và nội dung cần hỗ trợ còn giúp chọn thông báo phù hợp nếu bạn đăng ký nhận tin. Chỉ cán bộ "
    "chương trình xem được hồ sơ. Bạn xem dữ liệu bằng /dulieucuatoi và xóa bằng /xoadulieu; khi xóa, hồ sơ "
    "chỉ còn số liệu thống kê không gắn với ai.\n\n"
    "Đây là đăng ký nhu cầu hỗ trợ gửi tới cán bộ, không phải quyết định hỗ trợ."
)
APPLY_AGREE = "✅ Đồng ý"
APPLY_BACK = "◀ Quay lại"
APPLY_STOP = "✖ Dừng"
APPLY_ASK_NAME = "Bước 1/8 — Tên doanh nghiệp, hợp tác xã hoặc hộ kinh doanh (đúng như trên giấy đăng ký):"
APPLY_ASK_TAX = (
    "Bước 2/8 — Mã số thuế: 10 chữ số (doanh nghiệp), 10 + 3 chữ số cho chi nhánh (ví dụ 0101234567-001), "
    "hoặc số định danh cá nhân 12 chữ số của chủ hộ kinh doanh:"
)
APPLY_ASK_COMMUNE = (
    "Bước 3/8 — Doanh nghiệp ở xã, phường hay đặc khu nào của Quảng Ninh? Gõ tên, có dấu hay không dấu đều "
    "được (ví dụ: Vân Đồn, phường Hạ Long, xã Quảng Tân)."
)
APPLY_ASK_SECTOR = "Bước 4/8 — Ngành nghề chính của doanh nghiệp (chọn, hoặc gõ):"
APPLY_SECTOR_OTHER = "Khác (tự gõ)"
APPLY_ASK_SECTOR_OTHER = "Bạn gõ ngành nghề chính của doanh nghiệp (ví dụ: sản xuất nước mắm):"
APPLY_ASK_OCOP = "Bước 5/8 — Doanh nghiệp có sản phẩm OCOP không? Nếu có, sản phẩm đạt mấy sao?"
APPLY_OCOP_NONE = "Chưa có OCOP"
APPLY_OCOP_STARS = "{stars}★"
APPLY_ASK_OCOP_PRODUCT = "Tên sản phẩm OCOP {stars} sao của doanh nghiệp:"
APPLY_ASK_NEEDS = (
    "Bước 6/8 — Doanh nghiệp cần hỗ trợ nội dung nào? Chọn một hoặc nhiều (bấm lần nữa để bỏ chọn), rồi bấm «Xong»."
)
APPLY_NEED_CHOSEN = "✓ {label}"
APPLY_NEEDS_DONE = "Xong"
APPLY_ASK_CONTACT = "Bước 7/8 — Họ tên người liên hệ:"
APPLY_ASK_PHONE = "Bước 8/8 — Số điện thoại di động của người liên hệ (ví dụ 0912345678):"
APPLY_SUMMARY = (
    "Bạn kiểm tra lại hồ sơ:\n"
    "- Doanh nghiệp: {name}\n- Mã số thuế: {tax}\n- Địa bàn: {commune}\n- Ngành nghề: {sector}\n- OCOP: {ocop}\n"
    "- Cần hỗ trợ: {needs}\n- Người liên hệ: {contact}\n- Điện thoại: {phone}\n\n"
    "Bấm «Gửi hồ sơ» để gửi tới cán bộ, «Sửa» để sửa một mục."
)
APPLY_SUMMARY_OCOP = "{product} ({stars} sao)"
APPLY_SUBMIT = "📨 Gửi hồ sơ"
APPLY_EDIT = "✏️ Sửa"
APPLY_CANCEL = "✖ Hủy"
APPLY_EDIT_WHICH = "Bạn muốn sửa mục nào?"
APPLY_FIELD_NAME = "Tên doanh nghiệp"
APPLY_FIELD_TAX = "Mã số thuế"
APPLY_FIELD_COMMUNE = "Địa bàn"
APPLY_FIELD_SECTOR = "Ngành nghề"
APPLY_FIELD_OCOP = "OCOP"
APPLY_FIELD_NEEDS = "Nội dung cần hỗ trợ"
APPLY_FIELD_CONTACT = "Người liên hệ"
APPLY_FIELD_PHONE = "Điện thoại"
APPLY_SENT = (
    "✅ Đã gửi hồ sơ đăng ký nhận hỗ trợ. Mã hồ sơ của bạn:\n\n{ref}\n\n"
    "Cán bộ chương trình sẽ xem xét và báo trạng thái ngay trong cuộc trò chuyện này. Gõ /hoso để xem các hồ sơ "
    "đã gửi. Đây là đăng ký nhu cầu, chưa phải quyết định hỗ trợ."
)
APPLY_COPY_CODE = "📋 Sao chép mã hồ sơ"
APPLY_STOPPED = "Đã dừng đăng ký; không có thông tin nào được lưu. Khi cần, bạn bấm «Đăng ký nhận hỗ trợ» để làm lại."
APPLY_STALE = (
    "Biểu mẫu này đã cũ (đã gửi, đã dừng, hết hạn hoặc thuộc cuộc trò chuyện khác) nên nút không còn dùng được. "
    "Gõ /dangkyhotro để bắt đầu biểu mẫu mới."
)
APPLY_DROPPED = "(Biểu mẫu đăng ký bạn điền dở đã bị hủy vì quá một ngày không có trả lời; không có gì được lưu.)"
APPLY_OPEN_ALREADY = "Bạn đang điền dở một biểu mẫu đăng ký nhận hỗ trợ. Bạn muốn tiếp tục hay làm lại từ đầu?"
APPLY_RESUME = "Tiếp tục"
APPLY_RESTART = "Làm lại từ đầu"
APPLY_PAUSED = "(Biểu mẫu đăng ký đang tạm dừng; gõ /dangkyhotro để điền tiếp.)"
APPLY_FIRST_STEP = "Đây là câu hỏi đầu tiên."
APPLY_NOTHING_TO_CANCEL = "Không có biểu mẫu nào đang điền dở để hủy."
APPLY_USE_BUTTONS = "Bạn chọn bằng các nút ở tin nhắn này nhé."
APPLY_ONLY_TEXT = "Tôi chỉ đọc được chữ và số. Bạn gõ câu trả lời giúp tôi nhé."
APPLY_TOO_SHORT = "{field} cần ít nhất {minimum} ký tự. Bạn gõ lại giúp tôi nhé."
APPLY_TOO_LONG = "{field} dài {length} ký tự, quá giới hạn {limit} ký tự. Bạn gõ gọn lại giúp tôi nhé."
APPLY_NEEDS_NAME_LETTERS = "{field} cần có chữ cái. Bạn gõ lại giúp tôi nhé."
APPLY_COMMUNE_UNKNOWN = (
    "Tôi không tìm thấy «{typed}» trong 54 xã, phường, đặc khu của Quảng Ninh (từ 01/07/2025). Có phải một trong "
    "các nơi dưới đây? Bạn chọn, hoặc gõ lại tên."
)
APPLY_COMMUNE_NONE_CLOSE = (
    "Tôi không tìm thấy «{typed}» trong 54 xã, phường, đặc khu của Quảng Ninh (từ 01/07/2025). Bạn bấm «Xem danh "
    "sách» hoặc gõ lại tên."
)
APPLY_COMMUNE_LIST_BUTTON = "📋 Xem danh sách"
APPLY_COMMUNE_LIST = "Các xã, phường, đặc khu của Quảng Ninh từ 01/07/2025 — bạn gõ tên nơi doanh nghiệp hoạt động:"
APPLY_COMMUNE_KIND = "{kind}: {names}"
APPLY_OCOP_TYPED = (
    "Sản phẩm đạt từ 3 sao trở lên mới được công nhận là sản phẩm OCOP. Bạn chọn «Chưa có OCOP», 3★, 4★ hoặc 5★."
)
APPLY_NEEDS_EMPTY = "Bạn chọn ít nhất một nội dung cần hỗ trợ, rồi bấm «Xong»."
APPLY_SUMMARY_TYPED = "Hồ sơ chưa gửi. Bạn bấm «Gửi hồ sơ», «Sửa» hoặc «Hủy» ở tin nhắn dưới đây."
# A hint quotes one entry of the knowledge base, by its question: information, never a decision.
APPLY_HINT = (
    "ℹ️ Để bạn tham khảo, câu «{question}» trong bộ câu hỏi – đáp ghi: «{sentence}» Đây chỉ là thông tin, "
    "không phải kết quả xét hồ sơ; cán bộ sẽ xem xét cụ thể."
)

# -- cases: the business's side -----------------------------------------------------------------------
CASE_STATUS_FOR_BUSINESS = "📋 Hồ sơ {ref} ({name}): {label}."
CASE_NOTE_FOR_BUSINESS = "\nCán bộ ghi chú: {note}"
CASE_ASK_INFO_FOR_BUSINESS = (
    "\nBạn trả lời ngay trong cuộc trò chuyện này (có thể gửi nhiều tin nhắn); nội dung sẽ được gắn vào hồ sơ "
    "và chuyển tới cán bộ. Gửi xong, bạn bấm «Đã bổ sung xong»."
)
CASE_INFO_DONE = "✓ Đã bổ sung xong"
CASE_INFO_ATTACHED = "✓ Đã gắn vào hồ sơ {ref} và chuyển tới cán bộ. Gửi xong, bạn bấm «Đã bổ sung xong»."
CASE_INFO_CLOSED = "Cảm ơn bạn. Cán bộ sẽ xem phần bổ sung cho hồ sơ {ref}. Bạn cứ gõ câu hỏi, tôi sẽ trả lời."
CASE_MINE_NONE = "Bạn chưa gửi hồ sơ đăng ký nhận hỗ trợ nào. Bấm «Đăng ký nhận hỗ trợ» để bắt đầu."
CASE_MINE = "Hồ sơ bạn đã gửi (mới nhất ở trên):"
CASE_MINE_LINE = "{ref} · {name} · {label} · gửi {when}"
CASE_VIEW_BUTTON = "Xem {ref}"
CASE_NOT_FOUND_FOR_BUSINESS = (
    "Không tìm thấy hồ sơ {ref} trong các hồ sơ của cuộc trò chuyện này. Gõ /hoso để xem các hồ sơ bạn đã gửi."
)
CASE_DETAIL = (
    "Hồ sơ {ref} — {label}\n- Doanh nghiệp: {name}\n- Mã số thuế: {tax}\n- Địa bàn: {commune}\n"
    "- Ngành nghề: {sector}\n- OCOP: {ocop}\n- Cần hỗ trợ: {needs}\n- Người liên hệ: {contact} — {phone}\n"
    "- Gửi lúc: {created}\n\nDiễn biến:\n{history}"
)
CASE_HISTORY_STATUS = "[{when}] {label}{who}{note}"
CASE_HISTORY_BUSINESS = "[{when}] Doanh nghiệp bổ sung: {text}"
CASE_HISTORY_NOTE = "[{when}] Ghi chú nội bộ{who}: {text}"
CASE_NO_OCOP = "chưa có"
MY_DATA_PROFILE = (
    "\n\nHồ sơ doanh nghiệp (từ hồ sơ đăng ký hỗ trợ, dùng để chọn người nhận thông báo phù hợp): địa bàn {commune}; "
    "ngành nghề {sector}; OCOP {ocop}; cần hỗ trợ: {needs}."
)
MY_DATA_LINKED = (
    "\n\nLiên kết kênh: hồ sơ này được liên kết với các kênh khác của bạn (Telegram, Zalo) qua mã số thuế hoặc "
    "số điện thoại trong hồ sơ đăng ký hỗ trợ, để mỗi thông báo gửi tới mọi kênh chỉ đến bạn một lần, trên kênh "
    "bạn dùng gần nhất. Tôi chỉ lưu một mã băm của mã số thuế hoặc số điện thoại, không lưu chính số đó ở đây; "
    "gõ /xoadulieu ở kênh này thì liên kết của kênh này bị xóa cùng dữ liệu."
)
MY_DATA_OA = (
    "\n\nOfficial Account Zalo: quan tâm (theo dõi) OA: {follows}; lần nhắn tin gần nhất: {last}. Tôi lưu các thời "
    "điểm này vì Zalo chỉ cho OA trả lời và gửi thông báo trong một thời hạn sau lần bạn nhắn tin hoặc quan tâm OA. "
    "Khi bạn bỏ quan tâm, dữ liệu này được xóa sau {inactive_days} ngày không trò chuyện."
)
OA_FOLLOWS_SINCE = "có, từ {since}"
OA_NOT_FOLLOWING = "không"
MY_DATA_CASES = (
    "\n\nHồ sơ đăng ký nhận hỗ trợ bạn đã gửi: {cases} (gõ /hoso để xem). Hồ sơ đã xử lý xong được lưu {cases_days} "
    "ngày, sau đó chỉ còn số liệu thống kê không gắn với ai."
)

# -- cases: the staff's side ---------------------------------------------------------------------------
STAFF_NEW_CASE = (
    "📝 Hồ sơ mới {ref}\n- Doanh nghiệp: {name} (MST {tax})\n- Địa bàn: {commune}\n- Ngành nghề: {sector}\n"
    "- OCOP: {ocop}\n- Cần hỗ trợ: {needs}\n- Người liên hệ: {contact} — {phone}\n- Kênh: {channel}\n\n"
    "Đổi trạng thái bằng các nút, hoặc /hoso_doi {ref} <trạng thái> [ghi chú]."
)
STAFF_CASE_MOVE = "→ {label}"
STAFF_CASE_VIEW = "Xem {ref}"
STAFF_CASE_MOVED = "✓ {ref}: {label} ({name})."
STAFF_CASE_TOLD = " Đã báo doanh nghiệp."
STAFF_CASE_NOT_TOLD = (
    " Đã đổi trạng thái nhưng chưa báo được cho doanh nghiệp (người dùng đã chặn Trợ lý, đã xóa dữ liệu, "
    "hoặc kênh lỗi)."
)
STAFF_CASE_BUSINESS_SAID = "📎 {ref} · doanh nghiệp bổ sung:\n{text}"
STAFF_CASE_ASK_NOTE = (
    "Hồ sơ {ref}: gõ nội dung doanh nghiệp cần bổ sung (tin nhắn tiếp theo của bạn sẽ được gửi cho doanh nghiệp), "
    "hoặc /huy để thôi."
)
STAFF_CASE_NOTE_CANCELLED = "Đã thôi, hồ sơ {ref} giữ nguyên trạng thái."
STAFF_CASES = "Hồ sơ đang mở (mới nhất ở trên):"
STAFF_CASES_NONE = "Không có hồ sơ nào đang mở."
STAFF_CASE_LINE = "{ref} · {name} · {commune} · {label} · {when}"
STAFF_CASE_USAGE = (
    "Cách dùng: /hoso_xem <mã hồ sơ>; /hoso_doi <mã hồ sơ> <trạng thái> [ghi chú]. Mã như HS12-K7QF. Trạng thái: "
    "tiep-nhan, xem-xet, bo-sung (cần ghi chú), chap-nhan, khong-du, dong."
)
STAFF_CASE_NOT_FOUND = "Không tìm thấy hồ sơ {ref}."
STAFF_CASE_BAD_STATUS = (
    "Không hiểu trạng thái «{word}». Dùng một trong: tiep-nhan, xem-xet, bo-sung, chap-nhan, khong-du, dong."
)
CASE_PROBLEM_GONE = "Không tìm thấy hồ sơ này (có thể đã bị xóa)."
CASE_PROBLEM_CHANGED = (
    "Hồ sơ {ref} vừa được đổi sang «{label}» (có thể bởi cán bộ khác); chưa đổi gì. Bạn xem lại rồi chọn tiếp."
)
CASE_PROBLEM_NOT_ALLOWED = "Không thể chuyển hồ sơ {ref} từ «{current}» sang «{wanted}»."
CASE_PROBLEM_NEEDS_NOTE = "Cần ghi rõ doanh nghiệp phải bổ sung gì (ghi chú này được gửi cho doanh nghiệp)."
CASE_PROBLEM_NOTE_LONG = "Ghi chú dài {length} ký tự, quá giới hạn {limit} ký tự."
CASE_NOTE_EMPTY = "Ghi chú trống, chưa lưu gì."
