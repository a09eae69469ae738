"""Editor support: `ccirules lsp`, a language server for rulesets.

:mod:`.server` speaks the protocol (with pygls, imported there alone); the other modules answer
in ccirules' own terms and know nothing of the protocol: :mod:`.symbols` (every name, declared
and used), :mod:`.hover`, :mod:`.completion`, :mod:`.outline`, and :mod:`.positions` (editor
positions to and from ccirules' own).
"""
