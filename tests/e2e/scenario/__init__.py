"""The whole-system scenario of the clearing house (BRIEF §7): its inputs, an expectation computed
independently from those inputs and the published rules, and a driver that plays it on a running stack.

``inputs`` says what the societies and AI companies do; ``expected`` computes, from those inputs, the
tariff data file and the FX rates alone, what every society must be paid; ``driver`` does it all over
gRPC and reads back statements, positions, suspense and the ledger. The expectation never calls the
services' own settlement, licensing or matching code.
"""
