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
