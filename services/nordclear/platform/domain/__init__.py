"""Pure domain helpers every Nordclear service shares, so that they are right exactly once.

- ``money``: integer minor-unit money per ISO 4217 currency, exact largest-remainder splitting and
  exact-rate currency conversion.
- ``identifiers``: normalisation and validation of ISWC, ISRC, IPI name numbers and IPI base numbers.
- ``territories``: the five licence territories, their CISAC TIS codes, and resolution of CWR-style
  include/exclude territory lists.
- ``societies``: the five member societies and the CISAC society code list.

Nothing here performs I/O beyond reading a data file packaged with this module, and nothing imports
gRPC, protobuf, Kafka or SQL: the services and adapters build on these, never the other way round. Every
validation failure raises ``nordclear.platform.errors.InvalidArgument`` naming the field, the value and
the rule.
"""
