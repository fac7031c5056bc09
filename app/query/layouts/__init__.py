"""Answer layouts, one module per answer type: the evidence layout (a bottom line, or each part of the question, or
both sides, then supporting statements by kind of evidence), the design layout (the report's recommendations first)
and the practice list (every card recording the asked values). ``base.Layout`` holds what they share."""
