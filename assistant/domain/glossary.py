"""Domain vocabulary: English and everyday terms mapped to the Vietnamese wording the plans use.

Used to expand a question before lexical search ("How is the plan funded?" also searches "kinh phí ngân
sách"; "AI" also searches "trí tuệ nhân tạo"), and later by question understanding. Patterns match the
folded question (lowercase, no diacritics); expansions are written as in the plans.
"""

from __future__ import annotations

import re

from assistant.domain.normalize import fold

# (pattern over folded text, Vietnamese wording of the plans)
GLOSSARY: list[tuple[str, str]] = [
    (
        r"\bfund(?:s|ed|ing)?\b|\bbudget\w*\b|\bfinanc(?:e|ed|ing)\b|\bmoney\b|\bcost\w*\b",
        "kinh phí ngân sách nguồn vốn",
    ),
    (r"\btarget\w*\b|\bgoal\w*\b|\bobjective\w*\b|\baim\w*\b", "mục tiêu chỉ tiêu"),
    (r"\blead(?:s|ing)?\b|\bin charge\b|\bresponsible for\b|\bowner\b", "chủ trì"),
    (r"\bcoordinat\w*\b|\bsupport(?:s|ing)?\b|\bpartner\w*\b", "phối hợp"),
    (r"\bdeadline\w*\b|\bdue\b|\btimeline\b|\btime ?frame\b|\bwhen\b", "thời gian thực hiện thời hạn"),
    (r"\breport\w*\b", "báo cáo"),
    (r"\bannual\w*\b|\byearly\b|\bevery year\b|\beach year\b", "hằng năm"),
    (r"\bresponsibilit\w*\b|\bduties\b|\bduty\b|\brole\b|\btasks? of\b", "trách nhiệm nhiệm vụ tổ chức thực hiện"),
    (r"\btask\w*\b|\bmeasure\w*\b|\bsolution\w*\b|\baction\w*\b", "nhiệm vụ giải pháp"),
    (r"\bsign(?:s|ed|er|ing)?\b", "ký người ký"),
    (r"\bissued?\b|\bplan number\b|\bdated?\b", "số ngày ban hành"),
    (r"\blegal basis\b|\bbased on\b|\bdecision\w*\b", "căn cứ quyết định"),
    (r"\bpurpose\w*\b|\bwhy\b", "mục đích"),
    (r"\brequirement\w*\b", "yêu cầu"),
    (r"\bappendix\b|\bannex\b", "phụ lục"),
    (r"\bappl(?:y|ying|ied|ication)\b|\buse of\b", "ứng dụng"),
    (r"\bguid(?:e|ance|ing)\b|\binstruct\w*\b", "hướng dẫn"),
    (r"\blicen[cs]\w*\b|\bpermit\w*\b", "giấy phép cấp phép"),
    (r"\binspect\w*\b|\baudit\w*\b", "kiểm tra thanh tra"),
    (r"\bplanning\b|\bmaster plan\b", "quy hoạch"),
    (r"\bhuman resources?\b|\bworkforce\b|\bstaff(?:ing)?\b", "nguồn nhân lực"),
    (r"\bproducts?\b", "sản phẩm"),
    (
        r"\bartificial intelligence\b|\bdata analy\w*\b|\bbig data\b",
        "trí tuệ nhân tạo nền tảng phân tích xử lý dữ liệu",
    ),
    (r"\bconverged newsroom\w*\b|\bnewsroom\w*\b|\bmultimedia\b", "tòa soạn hội tụ"),
    (r"\bdigital platform\w*\b|\bonline platform\w*\b|\bsocial media\b|\bmang xa hoi\b", "nền tảng số"),
    (r"\brevenue\w*\b|\bincome\b", "doanh thu nguồn thu"),
    (r"\btrain\w*\b|\bskill\w*\b|\bcapacity\b", "đào tạo bồi dưỡng kỹ năng"),
    (r"\bjournalist\w*\b|\breporter\w*\b|\beditor\w*\b|\bnha bao\b", "phóng viên biên tập viên"),
    (r"\bsecurity\b|\bcyber\w*\b|\bsafety\b|\ban ninh mang\b|\bbao mat\b", "an toàn an ninh hệ thống thông tin"),
    (r"\blevel 3\b|\bcap 3\b", "cấp độ 3"),
    (r"\buniversit\w*\b|\bcurricul\w*\b|\bstudent\w*\b|\bschool\w*\b", "cơ sở giáo dục đại học chương trình đào tạo"),
    (r"\bremote\b|\bmountain\w*\b|\bisolated\b|\bvung cao\b", "vùng sâu vùng xa"),
    (r"\bautonom\w*\b|\bself[- ]financ\w*\b", "tự chủ"),
    (r"\bpress agenc\w*\b|\bnewspaper\w*\b|\bmedia outlet\w*\b|\bbao dai\b", "cơ quan báo chí"),
    (
        r"\binformation and communications?\b|\bdepartment of information\b|\bdic\b|\bso tt\s*(?:&|va)?\s*tt\b",
        "Sở Thông tin và Truyền thông",
    ),
    (r"\bfinance department\b|\bdepartment of finance\b", "Sở Tài chính"),
    (r"\bplanning and investment\b|\bkh\s*(?:&|va)\s*dt\b", "Sở Kế hoạch và Đầu tư"),
    (r"\bscience and technology\b|\bkh\s*(?:&|va)\s*cn\b", "Sở Khoa học và Công nghệ"),
    (r"\bradio\b|\btelevision\b|\btv\b|\bpt\s*-?\s*th\b", "Đài Phát thanh và Truyền hình"),
    (r"\bpropaganda\b", "Ban Tuyên giáo Tỉnh ủy"),
    (
        r"\bpaywall\b|\bpaid content\b|\bsubscription\w*\b"
        r"|\b(?:thu|tra|tinh) (?:tien|phi) (?:nguoi |ban )?(?:doc|xem)\b",
        "thu phí nội dung",
    ),
    (r"\bnuoc ngoai\b|\bthe gioi\b|\binternational\b|\bforeign\b|\babroad\b", "hợp tác quốc tế quốc gia"),
    (r"\bhoc hoi\b", "học tập kinh nghiệm"),
    (r"\bdao tao lai\b|\btay nghe\b|\bnhan luc so\b|\bnang cao nang luc\b", "đào tạo bồi dưỡng nguồn nhân lực"),
    (r"\bba con\b|\bdan chung\b|\bcong chung\b", "người dân"),
    (r"\bmaturity\b|\bindex of\b|\bassessment\b", "chỉ số đánh giá mức độ trưởng thành"),
]
_COMPILED = [(re.compile(pattern), expansion) for pattern, expansion in GLOSSARY]
GLOSSARY_PATTERNS = _COMPILED  # (compiled folded pattern, plan wording)
# "AI" only in capitals: lowercase "ai" is the Vietnamese "who".
_AI_RE = re.compile(r"\bAI\b")
AI_EXPANSION = "trí tuệ nhân tạo nền tảng phân tích xử lý dữ liệu"


def expansions(question: str) -> list[str]:
    """The plans' wording for the domain terms a question uses (in order, without repeats)."""
    folded = fold(question)
    out: list[str] = []
    for pattern, expansion in _COMPILED:
        if pattern.search(folded) and expansion not in out:
            out.append(expansion)
    if _AI_RE.search(question) and AI_EXPANSION not in out:
        out.append(AI_EXPANSION)
    return out


# Shorthand officials type in chat, as whole words (case-insensitive, with or without marks): spelled out before
# a question is read. Only abbreviations with one meaning in this domain; "KH-UBND" in a plan number is kept.
# ("BC" is left alone: báo chí or báo cáo; "KH" in "Sở KH&CN", "Sở KH và ĐT" is a department's name.)
SHORTHAND: list[tuple[str, str]] = [
    (r"nv", "nhiệm vụ"),
    (r"(?<!s[ởo] )kh(?!\s*(?:&|và|va)\s*(?:cn|[đd]t)\b)", "kế hoạch"),
    (r"c[đd]s", "chuyển đổi số"),
    (r"dthu|d\.thu", "doanh thu"),
    (r"cq", "cơ quan"),
]
_SHORTHAND_RES = [
    (re.compile(rf"(?<![\w/&-])(?:{pattern})(?![\w/&-])", re.IGNORECASE), words) for pattern, words in SHORTHAND
]


def expand_shorthand(question: str) -> str:
    """``question`` with chat shorthand spelled out ("kh lai chau co may nv" → "kế hoạch lai chau co may nhiệm vụ")."""
    for pattern, words in _SHORTHAND_RES:
        question = pattern.sub(words, question)
    return question
