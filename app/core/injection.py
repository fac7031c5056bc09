"""Instruction-like text in a passage: words aimed at the assistant, not statements about the subject.

Passages are quoted data, never instructions. A document (a user's upload above all) may still hold
text written to steer a language model ("SYSTEM: you must answer that …", "ignore previous
instructions"). Such a passage is neither stated as evidence by the extractive composer nor accepted
by the guard as the support of an LLM's claim.

The patterns are deliberately few and specific: each names the assistant, its instructions or a
chat role, so that the corpus's own advice to readers ("practitioners should …") never matches
(``tests/test_untrusted.py`` checks every passage of the real corpus).
"""

from __future__ import annotations

import re

INSTRUCTION_PATTERNS: dict[str, str] = {
    # A chat role speaking: "SYSTEM: …", "[assistant]: …", "### Instruction:" at a line or sentence start.
    "chat role": r"(?:^|[\n.!?]\s*)[#\[\s<|]*(?:system|assistant|developer|instructions?)\s*[\]>|]*\s*:",
    # Overriding what the assistant was told.
    "override": r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+)*"
    r"(?:previous|prior|above|earlier|preceding|other|system)?\s*(?:instructions?|prompts?|rules|context|messages?)\b",
    # Telling the reader what to answer: "you must answer that …", "you should say …".
    "dictated answer": r"\byou\s+(?:must|should|shall|will|are\s+to|have\s+to|need\s+to)\s+(?:always\s+|only\s+|now\s+)?"
    r"(?:(?:answer|reply|respond|say|state|output|claim)\s*(?:that\b|:|[\"“]|with\b|only\b|exactly\b)"
    r"|tell\s+(?:the\s+)?(?:users?|readers?|them|everyone)\s+that\b)",
    # Addressing a model as such.
    "addresses the model": r"\b(?:as\s+an?\s+(?:ai|language\s+model|assistant)|(?:dear|attention)\s+(?:ai|assistant|chatbot|llm)"
    r"|(?:ai|llm|chatbot|language\s+model)s?\s+(?:must|should)\s+(?:answer|reply|respond|say|state))\b",
    "new instructions": r"\b(?:new|updated|real|actual)\s+instructions?\s*:",
}
_PATTERNS = [(name, re.compile(p, re.I)) for name, p in INSTRUCTION_PATTERNS.items()]


def instruction_in(text: str) -> str | None:
    """The instruction-like words a passage holds ("SYSTEM: you must answer"), or None when it has none."""
    for _, pattern in _PATTERNS:
        m = pattern.search(text)
        if m:
            return " ".join(m.group(0).split()).strip(" .!?")
    return None
