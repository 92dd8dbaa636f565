"""End-of-line bench instruments over SCPI: a loopback SCPI server driven by the twin (standing
in for a DMM, an insulation tester and a power analyzer) and a PyVISA client, as a real station
would speak to real instruments."""
