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
    "- /menu — xem các chủ đề và câu hỏi thường gặp.\n"
    "- /subscribe (/dangky) — nhận thông báo về khóa đào tạo, chính sách hỗ trợ; /unsubscribe (/huydangky) để ngừng.\n"
    "- /human (/gapcanbo) — gặp cán bộ tư vấn.\n"
    "- /mydata (/dulieucuatoi) — xem dữ liệu trợ lý lưu về bạn; /deletedata (/xoadulieu) — xóa dữ liệu đó.\n\n"
    "Trợ lý trả lời tự động từ bộ câu hỏi – đáp có ghi nguồn, nên có thể chưa đầy đủ; khi chưa chắc, trợ lý sẽ nói rõ."
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
    "Bạn có thể liên hệ trực tiếp:\n{contact}\n\n"
    "Hoặc bấm «Gặp cán bộ» để cán bộ trả lời bạn."
)
EMPTY_QUESTION = (
    "Tôi chỉ đọc được câu hỏi bằng chữ. Bạn gõ câu hỏi giúp tôi nhé, ví dụ: «5S là gì» "
    "hoặc «đăng ký hỗ trợ như thế nào»."
)
TOO_LONG = "Câu hỏi dài quá ({length} ký tự), tôi chỉ đọc {limit} ký tự đầu tiên."
UNKNOWN_COMMAND = "Tôi không biết lệnh «{command}». Gõ /help để xem các lệnh, hoặc cứ gõ câu hỏi."
STALE_BUTTON = "Nút này thuộc một tin nhắn cũ và không còn dùng được. Bạn gõ /menu để xem lại các chủ đề nhé."
SOURCE = "Nguồn: {source}"
ASK_NEXT = "Hỏi tiếp:"
BACK_TO_MENU = "« Chủ đề"
MAIN_MENU = "☰ Danh sách chủ đề"
TALK_TO_HUMAN = "Gặp cán bộ"
CONSOLE_BYE = "Tạm biệt! Khi cần, bạn cứ quay lại hỏi nhé."
CONSOLE_CHOOSE = "Gõ số để chọn, 0 để quay lại, hoặc gõ câu hỏi mới."
CONSOLE_NOTHING_TO_GO_BACK = "Không còn gì để quay lại. Gõ /menu để xem các chủ đề."
CONSOLE_BAD_NUMBER = "Không có lựa chọn số {number}. Hãy gõ số trong danh sách, hoặc gõ câu hỏi."

# -- people: subscriptions, data, feedback, handoff --------------------------------------------------
SUBSCRIBE_OFFER = "🔔 Nhận thông báo"
SUBSCRIBE_CHOOSE = (
    "Bạn muốn nhận thông báo (khóa đào tạo, chính sách hỗ trợ, hạn đăng ký) về chủ đề nào?\n\n"
    "Khi đăng ký, bạn đồng ý để Trợ lý lưu mã cuộc trò chuyện, tên hiển thị và chủ đề đã chọn để gửi thông "
    "báo. Bạn có thể hủy bất cứ lúc nào bằng /unsubscribe (/huydangky), xem dữ liệu bằng /mydata và xóa "
    "bằng /deletedata."
)
SUBSCRIBE_ALL = "Tất cả chủ đề"
SUBSCRIBED = "Đã đăng ký nhận thông báo về: {topics}. Cảm ơn bạn! Gõ /unsubscribe (/huydangky) để hủy bất cứ lúc nào."
UNSUBSCRIBED = "Đã hủy đăng ký. Bạn sẽ không nhận thông báo nữa."
NOT_SUBSCRIBED = "Bạn chưa đăng ký nhận thông báo. Gõ /subscribe (/dangky) nếu muốn đăng ký."
MY_DATA = (
    "Dữ liệu Trợ lý đang lưu về bạn:\n"
    "- Kênh: {channel}, mã cuộc trò chuyện: {chat_id}\n"
    "- Tên hiển thị: {name}\n"
    "- Nhận thông báo: {subscription}\n"
    "- Lần đầu trò chuyện: {first_seen}; gần nhất: {last_seen}\n"
    "- Góp ý 👍/👎 đã gửi: {feedback}\n"
    "- Yêu cầu gặp cán bộ: {handoffs}\n"
    "- Câu hỏi gần nhất: {recent}\n\n"
    "Câu hỏi chưa trả lời được được lưu ẩn danh (không kèm mã cuộc trò chuyện) để bổ sung kiến thức. "
    "Gõ /deletedata (/xoadulieu) để xóa dữ liệu của bạn (theo Nghị định 13/2023/NĐ-CP)."
)
NO_DATA = "Trợ lý không lưu dữ liệu nào về bạn."
DELETE_CONFIRM = "Bạn chắc chắn muốn xóa toàn bộ dữ liệu Trợ lý lưu về bạn (kể cả đăng ký nhận thông báo)?"
DELETE_YES = "Xóa dữ liệu của tôi"
DELETE_NO = "Không, giữ lại"
DELETED = "Đã xóa toàn bộ dữ liệu của bạn. Nếu bạn nhắn tiếp, Trợ lý sẽ coi như lần đầu trò chuyện."
KEPT = "Đã giữ nguyên dữ liệu của bạn."
FEEDBACK_UP = "👍"
FEEDBACK_DOWN = "👎"
FEEDBACK_THANKS = "Cảm ơn bạn đã đánh giá!"
FEEDBACK_SORRY = "Cảm ơn bạn! Xin lỗi vì câu trả lời chưa tốt. Bạn có thể viết góp ý, hoặc gặp cán bộ."
FEEDBACK_WRITE = "✍️ Viết góp ý"
FEEDBACK_ASK_COMMENT = "Bạn gõ góp ý trong tin nhắn tiếp theo nhé (điều gì chưa đúng, bạn cần thông tin gì)."
FEEDBACK_COMMENT_SAVED = "Đã ghi nhận góp ý. Cảm ơn bạn!"
HANDOFF_OPENED = (
    "Đã chuyển yêu cầu của bạn tới cán bộ (mã yêu cầu #{id}). Cán bộ sẽ trả lời ngay trong cuộc trò chuyện "
    "này khi có thể. Nếu cần gấp, bạn liên hệ:\n{contact}"
)
HANDOFF_NO_STAFF = (
    "Hiện chưa có cán bộ trực tuyến qua Trợ lý. Yêu cầu của bạn đã được ghi lại (mã #{id}). "
    "Bạn vui lòng liên hệ trực tiếp:\n{contact}"
)
HANDOFF_TO_STAFF = (
    "🙋 Yêu cầu gặp cán bộ #{id}\nTừ: {name} ({channel}:{chat_id})\nCâu hỏi gần nhất: {question}\n\n"
    "Trả lời: /reply {id} <nội dung>"
)
STAFF_ANSWER = "💬 Cán bộ trả lời:\n{text}"
REPLY_SENT = "Đã gửi trả lời cho yêu cầu #{id}."
REPLY_USAGE = "Cách dùng: /reply <mã yêu cầu> <nội dung trả lời>"
REPLY_NOT_FOUND = "Không tìm thấy yêu cầu #{id}."
STAFF_ONLY = "Lệnh này chỉ dành cho cán bộ của chương trình."
FLOOD = "Bạn gửi tin nhắn hơi nhanh. Trợ lý tạm nghỉ một chút rồi trả lời tiếp nhé (khoảng {seconds} giây)."
INTERNAL_ERROR = "Xin lỗi, Trợ lý vừa gặp trục trặc khi xử lý tin nhắn này. Bạn thử lại sau ít phút nhé."
RELAYED = "(gửi tới {channel}:{chat_id})\n{text}"

# -- staff: campaigns ---------------------------------------------------------------------------------
CAMPAIGN_ASK_TEXT = "Soạn chiến dịch mới. Gõ nội dung thông báo (có thể dùng {name} để chèn tên người nhận):"
CAMPAIGN_ASK_AUDIENCE = "Gửi cho ai? (số trong ngoặc là số người nhận hiện có)"
CAMPAIGN_ASK_TIME = (
    "Khi nào gửi? Bấm «Gửi ngay», hoặc gõ thời điểm theo giờ Việt Nam dạng 2026-12-05 08:00, "
    "hoặc lịch lặp lại như «every monday 08:00»."
)
CAMPAIGN_NOW = "Gửi ngay"
CAMPAIGN_PREVIEW = "Xem trước tin nhắn người nhận sẽ thấy:"
CAMPAIGN_SUMMARY = "Người nhận: {audience}\nThời điểm: {when}\n\nXác nhận để lên lịch gửi."
CAMPAIGN_CONFIRM = "✅ Xác nhận gửi"
CAMPAIGN_ABORT = "✖ Hủy soạn"
CAMPAIGN_ABORTED = "Đã hủy bản soạn."
CAMPAIGN_USE_BUTTONS = "Bạn chọn bằng các nút ở tin nhắn trên, hoặc bấm «Hủy soạn»."
CAMPAIGN_PROBLEM = "Chưa tạo được: {problem}. Bạn sửa lại rồi gửi tiếp nhé."
CAMPAIGN_CREATED = "Đã tạo chiến dịch #{id}. Tin nhắn sẽ đi theo giới hạn tốc độ của từng kênh và giờ yên lặng."
CAMPAIGN_PROGRESS = "Xem tiến độ"
CAMPAIGN_NONE = "Chưa có chiến dịch nào."
CAMPAIGN_STATUS = "Chiến dịch #{id} — {status}\nNgười nhận: {audience}\nNội dung: {text}\n"
CAMPAIGN_REFRESH = "🔄 Làm mới"
CAMPAIGN_CANCEL = "Hủy chiến dịch"
CAMPAIGN_RESEND = "Gửi lại các tin chưa rõ"
CAMPAIGN_CANCELLED = "Chiến dịch #{id}: {result}"
CAMPAIGN_RESENT = "Chiến dịch #{id}: {count} tin chưa rõ sẽ được gửi lại (người nhận có thể nhận hai lần)."
