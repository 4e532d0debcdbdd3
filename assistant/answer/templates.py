"""Phrases shared by several answer routes (each route keeps its own templates beside its code)."""

from __future__ import annotations

COMMON = {
    "vi": {
        "not_found": "Các kế hoạch trong kho ({provinces}) không nêu thông tin này.",
        "covers": " Tôi có thể trả lời về chỉ tiêu theo năm, nhiệm vụ và đơn vị chủ trì, phối hợp, thời hạn báo cáo, "
        "trách nhiệm của các cơ quan và nguồn kinh phí.",
        "related": "Thông tin liên quan (không phải câu trả lời):",
    },
    "en": {
        "not_found": "The plans in the corpus ({provinces}) do not state this.",
        "covers": " I can answer about yearly targets, tasks with their lead and coordinating units, reporting "
        "deadlines, responsibilities and funding sources.",
        "related": "Related information (not an answer to the question):",
    },
}


def phrase(language: str, key: str, **values) -> str:
    return COMMON[language][key].format(**values)
