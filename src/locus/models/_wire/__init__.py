"""What every chat codec shares, whichever API it speaks (pure; no I/O).

``shape`` (typed reading of decoded JSON), ``arguments`` (tool-call arguments between
JSON text and ``ToolCall``), ``assembler`` (streamed tool-call fragments joined into
calls; ``object_scan`` tells when their arguments are whole), ``stop`` (stop
reasons), ``response`` (``ModelResponse`` and ``Usage`` from decoded pieces),
``accumulator`` (the state of one streamed answer), ``sse`` (``text/event-stream``
decoding), ``json_text`` (server JSON decoded in one place) and ``codec`` (the
contract a codec fulfils).
"""
