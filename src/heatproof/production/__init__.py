"""The production line's pure core: gates from evidence, the line's rules (routing, yields,
non-conformances), end-of-line judgement, SPC, capability and gauge R&R. No I/O: the records and
the services (heatproof.factory) feed it typed values and store what it returns."""
