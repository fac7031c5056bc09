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

# Words that name the assistant a document may try to address (English, French).
_MODEL = (
    r"(?:ai|a\.i\.|llm|chat\s?bot|bot|gpt|assistant|language\s+model|model|machine|ia|intelligence\s+artificielle"
    r"|assistante?|modèle(?:\s+de\s+langage)?|robot)"
)
_ORDERS = (
    r"(?:instructions?|prompts?|rules|context|messages?|guidance|guidelines|directions|directives|commands|orders"
    r"|consignes?|règles|indications|directives|ordres)"
)

INSTRUCTION_PATTERNS: dict[str, str] = {
    # A chat role speaking: "SYSTEM: …", "[assistant]: …", "### Instruction:", "| Système : …" (a table cell)
    # at a line, sentence or cell start.
    "chat role": r"(?:^|[\n.!?|]\s*)[#\[\s<|*_]*(?:system|syst[eè]me|assistant|assistante|developer|user|instructions?|prompt)"
    r"\s*[\]>|*_]*\s*:",
    # Overriding what the assistant was told: "ignore previous instructions", "disregard prior guidance" (but not
    # "staff ignore the rules of other agencies": a generic noun needs a word that points back at what came before).
    "override": r"\b(?:ignore|disregard|forget|override|overrule|bypass|set\s+aside|pay\s+no\s+attention\s+to)\s+"
    r"(?:the\s+|of\s+)*(?:(?:(?:all|any|your|these|those|previous|prior|above|earlier|preceding|system|original)\s+)+"
    rf"(?:the\s+|of\s+)*{_ORDERS}|(?:instructions?|prompts?|guidance))\b",
    "override (French)": r"\b(?:ignore[rz]?|oublie[rz]?|ne\s+tene[zr]\s+(?:pas\s+)?compte|ne\s+pas\s+tenir\s+compte"
    r"|faites\s+abstraction)\s+(?:de\s+|d['’]\s*|des\s+|toutes\s+|tous\s+|les\s+|vos\s+|ces\s+|la\s+|l['’]\s*)*"
    rf"(?:précédentes?\s+|antérieures?\s+)?{_ORDERS}",
    # Telling the reader what to answer: "you must answer that …", "you should say …".
    "dictated answer": r"\byou\s+(?:must|should|shall|will|are\s+to|have\s+to|need\s+to)\s+(?:always\s+|only\s+|now\s+)?"
    r"(?:(?:answer|reply|respond|say|state|output|claim|report|write|mention)\s*(?:that\b|:|[\"“]|with\b|only\b|exactly\b)"
    r"|tell\s+(?:the\s+)?(?:users?|readers?|them|everyone)\s+that\b)",
    "dictated answer (French)": r"\b(?:vous\s+deve[zr]|tu\s+dois|il\s+faut)\s+(?:toujours\s+|uniquement\s+|maintenant\s+)?"
    r"(?:répondre|dire|affirmer|indiquer|déclarer|écrire|signaler|mentionner)\s*(?:que\b|qu['’]|:|[\"“«])",
    # How to answer or summarise, said to whoever writes the answer: "When summarising, always report …".
    "answer rule": r"\b(?:when|whenever|while|if)\s+(?:you\s+(?:are\s+)?)?(?:summari[sz]|answer|respond|repl|generat)\w*"
    r"\b[^.!?\n]{0,60}?\b(?:always|never|only|make\s+sure|be\s+sure|remember\s+to)\b",
    "answer rule (French)": r"\b(?:lorsque|quand|si|en)\s+(?:vous\s+|tu\s+)?(?:résum|répond|rédig|écri|cit|présent|interrog)\w*"
    r"\b[^.!?\n]{0,60}?\b(?:toujours|jamais|uniquement|systématiquement|veillez|n['’]oubliez\s+pas)\b",
    "in your answer": r"\b(?:in|into)\s+(?:your|every|each|any)\s+(?:answer|summary|response|reply|output)s?\b"
    r"|\b(?:dans|à)\s+(?:votre|ta|chaque)\s+(?:réponse|résumé|synthèse)\b",
    # Addressing a model as such: "Note to the AI reading this", "as an AI language model", "dear assistant".
    "addresses the model": r"\b(?:as\s+an?\s+(?:ai|language\s+model|assistant)"
    r"|(?:dear|attention|hey|hello)\s+(?:ai|assistant|chatbot|llm)"
    r"|(?:ai|llm|chatbot|language\s+model)s?\s+(?:must|should)\s+(?:answer|reply|respond|say|state))\b"
    rf"|\b(?:note|message|reminder|instructions?)\s+(?:to|for)\s+(?:the\s+|any\s+|an\s+|all\s+)?{_MODEL}s?\b"
    rf"|\b(?:any|an|the)\s+{_MODEL}s?\s+(?:reading|processing|summari[sz]ing|analy[sz]ing|parsing|ingesting)\s+(?:this|these)\b"
    r"|\bif\s+you\s+are\s+an?\s+(?:ai|llm|language\s+model|assistant|chatbot|bot)\b",
    "addresses the model (French)": r"\b(?:note|message|remarque|rappel|consigne)s?\s+(?:à|pour)\s+"
    rf"(?:l['’]\s*|le\s+|la\s+|tout\s+|toute\s+)?{_MODEL}\b"
    rf"|\ben\s+tant\s+qu['’]\s*{_MODEL}\b|\bsi\s+(?:vous\s+êtes|tu\s+es)\s+(?:une?\s+)?{_MODEL}\b"
    rf"|\b(?:l['’]\s*|le\s+|la\s+)?{_MODEL}\s+qui\s+(?:lit|lisez|traite|résume|analyse)\b",
    "new instructions": r"\b(?:new|updated|real|actual|nouvelles?|vraies?)\s+(?:instructions?|consignes?)\s*:",
}
_PATTERNS = [(name, re.compile(p, re.I | re.M)) for name, p in INSTRUCTION_PATTERNS.items()]


def instruction_in(text: str) -> str | None:
    """The instruction-like words a passage holds ("SYSTEM: you must answer"), or None when it has none."""
    for _, pattern in _PATTERNS:
        m = pattern.search(text)
        if m:
            return " ".join(m.group(0).split()).strip(" .!?")
    return None
