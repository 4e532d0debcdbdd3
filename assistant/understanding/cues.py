"""Cue tables: the folded words that show what a question asks (attribute), how it aggregates, and at which level.

Each table maps a frame value to one folded regex. Understanding reports every cue that matches (the frame's
trace); :mod:`assistant.understanding.reader` decides the asked attribute from them by salience, not by the
first cue in a list.
"""

from __future__ import annotations

import re

# Attribute cues, most salient first: when several match, the earlier one is what is asked, the others are
# asked at the same time (or are words of the subject, for the routes to weigh).
ATTRIBUTE_CUES: list[tuple[str, str]] = [
    (
        "plan_metadata",
        r"\bai k[yi]\b|nguoi k[yi]\b|k[yi] ban hanh|k[yi] ke hoach|ky van ban|\bky thay|nao k[yi]\b|do .{0,30}\bky\b"
        r"|\bsign|so hieu"
        r"|so ky hieu|so may\b|ke hoach so\b"
        r"|ngay ban hanh|ban hanh ngay|ban hanh khi nao|ban hanh nam|issued|plan number|issue date"
        r"|(?:ke hoach|\bkh\b|van ban|ubnd|uy ban)[^?]{0,50}?ban hanh .*(?:ngay nao|khi nao|bao gio|thang nao|nam nao)"
        r"|^ban hanh .*(?:ngay nao|khi nao|bao gio)|\bky (?:ngay|khi nao|luc nao)|ngay ky"
        r"|can cu|legal basis|based on|dua tren|(?:quyet dinh|nghi quyet|chi thi|van ban) (?:nao|so)"
        r"|co quan ban hanh|issuing|national decision|which decision",
    ),
    ("coordinating_units", r"phoi hop|coordinat|cung thuc hien|ho tro thuc hien|support"),
    (
        "lead_units",
        r"chu tri|phu trach|dau moi|don vi nao thuc hien|\bai thuc hien|co quan nao thuc hien|\bai lam\b"
        r"|(?:don vi|co quan) nao (?:chiu trach nhiem|lam)|\bai chiu trach nhiem|(?:do|boi) ai\b"
        r"|(?:^|[,:] ?)ai (?:la|se|phai|duoc|co|chiu|phe|lam|thuc|giao|quyet|dam|chu|phu|nhan|tham|huong|theo"
        r"|don|kiem|xay|to|lo|bo|cung|lap|trien|tong|danh|ra|cap|van|quan)\b"
        r"|\blead(?:s|ing)?\b|\bled by|in charge|who is responsible for (?:task|the task)",
    ),
    ("deliverable", r"ket qua(?:,)? san pham|san pham (?:gi|nao|dau ra)|dau ra|deliverable|output"),
    (
        "time_frame",
        r"thoi gian|thoi han|han chot|\bhan\b|khi nao|bao gio|luc nao|ngay nao|truoc ngay|nam nao|tien do\b"
        r"|giai doan|by what date|what period|which years|how long"
        r"|deadline|\bwhen\b|time ?frame|timeline|due date|giai doan nao",
    ),
    (
        "duties",
        r"trach nhiem|nhiem vu (?:cua|gi)|co nhiem vu|giao nhiem vu|lam gi|phai lam|duoc giao|giao .*viec|vai tro"
        r"|responsib|dut(?:y|ies)|\brole\b|what must|what should",
    ),
    (
        "funding_sources",
        r"kinh phi|ngan sach|nguon von|nguon tien|so tien|bao nhieu tien|lay tien|tien (?:o |tu )?dau\b|ty dong"
        r"|\btien\b.{0,60}\b(?:tu dau|o dau|nguon nao)"
        r"|trieu dong|\bvnd\b"
        r"|\bfund|budget|\bcost|money|financed|financing",
    ),
    ("passage", r"muc tieu chung|muc dich|yeu cau chung|purpose"),
    ("target_value", r"muc tieu|chi tieu|bao nhieu phan tram|phan tram|ty le|\d+\s*%|target|goal|percent|share of"),
]
ATTRIBUTE_RES = [(name, re.compile(pattern)) for name, pattern in ATTRIBUTE_CUES]

# A comparison across plans, and the aggregate it asks for.
COMPARISON_RE = re.compile(
    r"so sanh|tinh nao|nhung tinh|cac tinh|cao nhat|thap nhat|compare|comparison"
    r"|which province|which plans|highest|lowest|each province|all provinces|moi tinh"
)
AGGREGATE_CUES: list[tuple[str, str]] = [
    (
        "difference",
        r"chenh lech|\bchenh\b|hon (?:bao nhieu|kem)|kem (?:bao nhieu|nhau)|difference|how much (?:more|higher|lower)"
        r"|(?:cao|thap|som|muon|nhieu|it|lon|nho) hon\b.{0,40}\bbao nhieu|(?:tang|giam) (?:them )?bao nhieu diem"
        r"|how many (?:points|days|percentage points)",
    ),
    ("highest", r"cao nhat|lon nhat|nhieu nhat|highest|largest|most ambitious"),
    ("lowest", r"thap nhat|nho nhat|it nhat|lowest|smallest|least"),
    ("latest", r"muon nhat|tre nhat|cuoi cung|latest"),
    ("earliest", r"som nhat|dau tien|earliest"),
    (
        "count",
        r"(?:bao nhieu|\bmay|so luong) (?:muc |dau |dong )?(?:nhiem vu|dau viec|task)|how many tasks|number of tasks",
    ),
    (
        "which",
        r"(?:ke hoach|tinh|van ban) nao (?:co|ghi|neu|giao|dan|can cu|dat|de|quy dinh|yeu cau)"
        r"|nhung (?:ke hoach|tinh) nao"
        r"|which (?:plans?|provinces?)",
    ),
]
AGGREGATE_RES = [(name, re.compile(pattern)) for name, pattern in AGGREGATE_CUES]

# The national strategy's own figures, not a province's: "chỉ tiêu quốc gia", "cả nước", or the strategy (Decision
# 348) as the one that sets the target ("Chiến lược đặt bao nhiêu % …", "What does the national strategy set …").
NATIONAL_RE = re.compile(
    r"(?<!chuong trinh )(?:chien luoc|muc tieu|chi tieu)(?: cua)? (?:quoc gia|toan quoc|ca nuoc|trung uong)"
    r"|\b(?:ca nuoc|toan quoc)\b"
    r"|^(?:theo )?(?:ban than )?(?:chien luoc|quyet dinh(?: so)? 348|qd 348|348/qd-ttg)\b[^?]{0,80}?"
    r"\b(?:dat|de ra|yeu cau|quy dinh)\b"
    r"|national (?:strategy|target|level)|nationwide|(?:decision 348|the strategy)(?:/qd-ttg)?(?: itself)? sets?\b"
)

GREETING_RE = re.compile(
    r"^(xin chao|chao( ban| anh| chi| em)?|hello|hi|hey|alo|cam on|thank(s| you)?|ok|oke|bye|tam biet)[\s!.?]*$"
)
REPORT_RE = re.compile(
    r"bao cao.*(?:ngay|han|khi nao|bao gio|truoc|cho ai|ve dau|gui (?:cho |ve )?ai|ai nhan|noi nhan)|ai nhan bao cao"
    r"|bao cao (?:len|cho|ve|toi|gui) (?:ai|dau|cap nao|co quan nao|don vi nao)"
    r"|(?:danh gia|tong hop|gui|nop) .*truoc ngay|\bhan (?:chot )?(?:nop |gui )?bao cao"
    r"|report.*(?:date|deadline|when|each year|annual|to whom|who receives)"
    r"|(?:date|deadline|when|annual|yearly).*(?:report|submit)"
)
TARGET_SIGNAL_RE = re.compile(  # "chương trình mục tiêu quốc gia" names a programme, not a target
    r"(?<!chuong trinh )muc tieu|chi tieu|bao nhieu|phan tram|%|ty le|muc nao|target|goal|percent|share|how many"
)
# "Kế hoạch gồm những nhóm nhiệm vụ, giải pháp nào?", "các nhiệm vụ phát triển nền tảng số gồm những gì?",
# "bố cục của kế hoạch": the answer is the plan's own outline (headings), not a fact or a passage.
OUTLINE_RE = re.compile(
    r"(?:bao nhieu|may) (?:nhom )?(?:nhiem vu|giai phap)\b"
    r"|(?:nhom|nhung|cac) (?:nhom )?(?:nhiem vu|giai phap)\b(?=.*\b(?:nao|gi|gom|bao gom|ra sao|nhu the nao)\b)"
    r"|gom (?:nhung|cac|may) (?:nhom|phan|noi dung|muc)\b|\bbo cuc\b|cau truc (?:cua )?(?:ke hoach|van ban)"
    r"|(?:nhung|cac|may) phan (?:nao|chinh)"
    r"|\b(?:main|key) (?:tasks|solutions|task groups)|groups? of tasks|task groups"
    r"|what (?:tasks|solutions) (?:does|are|do)"
    r"|sections? of the plan|outline|(?:liet ke|ke ten|\blist\b).*(?:nhiem vu|giai phap|tasks|solutions)"
    r"|^(?:muc dich|yeu cau)(?: chung)? (?:cua|doi voi) (?:ke hoach|cac nhiem vu)"
    r"|(?:muc dich|yeu cau) cua ke hoach"
)
# A list of the appendix's tasks, filtered ("liệt kê các nhiệm vụ trong phụ lục", "which tasks are ongoing")
TASK_LIST_RE = re.compile(
    r"(?:nhung|cac) nhiem vu (?:nao|trong phu luc|co thoi gian)|nhiem vu nao (?:co|duoc|thuc hien|do|la)"
    r"|liet ke .*nhiem vu|which (?:numbered )?tasks|list (?:the |all )?tasks"
)
TIME_FILTER_RE = re.compile(r"thuong xuyen|hang nam|hằng năm|ongoing|yearly|annual|every year|khi co yeu cau")
# Group names that make a "những nhiệm vụ gì" question about a unit's duties rather than the plan's outline.
UNIT_GROUP_RE = re.compile(r"\b(?:co quan|don vi|toa soan|uy ban|ubnd|huyen|thanh pho|so,? ban|cac so|press agenc)")
QUANTITY_RE = re.compile(r"phan tram|ty le|%|percent|share of|what share|how many|bao nhieu")
YEAR_RE = re.compile(r"\b(20[2-4]\d)\b")
TASK_RE = re.compile(
    r"(?:nhiem vu|task|muc|dong|hang|stt)\s*(?:so\s*|thu\s*|number\s*|no\.?\s*)?(\d{1,2}(?:\.\d{1,2})?)\b"
)
# "so với doanh thu năm nào": the year a growth target is measured against
BASELINE_RE = re.compile(
    r"so voi (?:doanh thu |muc |so lieu )?(?:cua )?nam (?:nao|bao nhieu)|so voi nam nao|baseline"
    r"|compared (?:to|with) (?:which|what) year"
)
# who does it ("ai", "đơn vị nào"): a duties question without a named agency still asks about agencies
WHO_RE = re.compile(r"\bai\b|(?:don vi|co quan|so|ban|nganh) nao|\bwho\b|which (?:unit|agenc|department|bod)")
EXPLICIT_PASSAGE_RE = re.compile(r"muc tieu chung|muc dich|purpose")
SIGNER_RE = re.compile(r"ai k[yi]\b|nguoi k[yi]\b|\bk[yi]\b(?! (?:ngay|khi nao|luc nao))|signed by|who signed|signer")
LEGAL_BASIS_RE = re.compile(
    r"can cu|legal basis|based on|dua tren|(?:quyet dinh|nghi quyet|chi thi|van ban) (?:nao|so)|"
    r"national decision|which decision|implement"
)
FOLLOW_UP_RE = re.compile(
    r"^(con|the con|vay con|va|con ve|the o|con o|vay o|how about|what about|and)\b|thi sao\??$|the nao\??$"
    r"|(?:nhiem vu|viec|ke hoach|task) (?:do|nay|tren)\b|\b(?:that|this) task\b"
)
