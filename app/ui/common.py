"""What every page of the app shares: inert rendering of document text, the page's CSS and script."""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

from app.core.text import escape_markdown

_HERE = Path(__file__).resolve().parent

# Opens a citation when its [n] link is clicked, opens every citation before printing, and keeps the
# newest question in view. Installed once per page (the flag survives Streamlit's reruns).
_SCRIPT = """
<script>
(function () {
  const doc = document;
  if (!window.__joinedUp) {
    window.__joinedUp = true;
    function openCitation(id) {
      const box = doc.querySelector('.st-key-' + CSS.escape(id));
      if (!box) return false;
      const details = box.querySelector('details');
      if (details && !details.open) {
        const summary = details.querySelector('summary');
        if (summary) summary.click(); else details.open = true;
      }
      box.scrollIntoView({block: 'center'});
      return true;
    }
    doc.addEventListener('click', function (event) {
      const link = event.target.closest ? event.target.closest('a[href*="#cite-"]') : null;
      if (!link) return;
      const id = link.getAttribute('href').split('#')[1];
      if (openCitation(id)) { event.preventDefault(); event.stopPropagation(); }
    }, true);
    window.addEventListener('beforeprint', function () {
      doc.querySelectorAll('details').forEach(function (d) { d.open = true; });
    });
    /* The page opens at its top, title in view. The chat's scroll box sticks to its bottom as the page fills in,
       however long that takes on a loaded machine: until a question is asked or the reader scrolls, every scroll
       of that box is undone (scroll events do not bubble, so they are caught on their way down). */
    let readerScrolled = false;
    ['wheel', 'touchmove', 'keydown', 'mousedown'].forEach(function (kind) {
      doc.addEventListener(kind, function () { readerScrolled = true; }, {capture: true, passive: true});
    });
    function keepTop(box) {
      if (readerScrolled || doc.querySelector('[data-testid="stChatMessage"]')) return;
      if (box && box.scrollTop > 0) box.scrollTop = 0;
    }
    doc.addEventListener('scroll', function (event) {
      const box = event.target;
      if (box && box.matches && box.matches('[data-testid="stAppScrollToBottomContainer"]')) keepTop(box);
    }, true);
    // A scroll the box makes in a frame of its own may land after its event: look again four times a second,
    // until a question is asked or the reader scrolls (then the interval ends).
    const watch = setInterval(function () {
      if (readerScrolled || doc.querySelector('[data-testid="stChatMessage"]')) { clearInterval(watch); return; }
      keepTop(doc.querySelector('[data-testid="stAppScrollToBottomContainer"]'));
    }, 250);
  }
})();
</script>
"""

_FOLLOW = """
<script>
/* answer %d: keep the newest question and its answer in view */
setTimeout(function () {
  const asked = document.querySelectorAll('[data-testid="stChatMessage"]');
  if (asked.length) asked[asked.length - 1].scrollIntoView({block: 'end'});
}, 200);
</script>
"""


def doc_text(text: str) -> str:
    """Untrusted document text made inert for ``st.markdown`` (the one place the app escapes it)."""
    return escape_markdown(text)


def quote_block(text: str) -> str:
    """Document text as a Markdown block quote (each line quoted, so a line break cannot end it)."""
    return "\n".join("> " + doc_text(line) for line in text.splitlines() if line.strip())


@functools.cache
def _style() -> str:
    """The page's stylesheet, read once per process."""
    return "<style>\n" + (_HERE / "style.css").read_text(encoding="utf-8") + "\n</style>"


def install_page_helpers() -> None:
    """The print stylesheet and the page script (citation links, printing with citations open)."""
    st.html(_style())
    st.html(_SCRIPT, unsafe_allow_javascript=True)


def keep_widget_state(keys: list[str]) -> None:
    """Keep the values of widgets not drawn in this run (those of a closed tab).

    Streamlit forgets a widget's value at the end of a run that did not draw it; written back as
    session state, the value is there when the tab opens again.
    """
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def follow_newest(count: int) -> None:
    """Scroll to the newest chat message (``count`` makes each answer's script new, so it runs again)."""
    st.html(_FOLLOW % count, unsafe_allow_javascript=True)
