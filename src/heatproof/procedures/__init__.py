"""Declarative test procedures: phases with measurements and limits, run on a stand."""
