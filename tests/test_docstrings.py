"""Every public function, class and method of the documented packages documents its parameters,
with units (in the style of python-control's docstring test).

What is checked, for each package or single module of DOCUMENTED_PACKAGES and each of a
package's modules whose dotted path has no part starting with an underscore and no part named
`migrations` (alembic revisions, importable only inside alembic):

- The public objects of a module are the names in its `__all__` when it has one, else the
  functions and classes it defines whose names do not start with an underscore. Of a public class,
  its public methods are the functions, class and static methods and properties its own body
  defines under a name without a leading underscore.
- Each has a docstring (a method may inherit it from the class it overrides, as `inspect.getdoc`
  does; a class's docstring may be completed by its own `__init__`'s).
- Each parameter (of a class: of its constructor, e.g. a dataclass's fields; never self or cls)
  is named in that docstring as a whole word.
- A parameter whose name ends in a unit suffix of UNITS (the longest that matches: `area_m2` is
  m2, `h_j_kg` J/kg, `t_k` K) has its unit stated: the docstring holds one of the suffix's
  spellings as a whole word (`K` or `kelvin` for `_k`), or the module's docstring states the
  suffix convention by containing the words "unit suffix" and the suffix itself (e.g. `_h`);
  the module is the one that defines the object, not a package re-exporting it.

Only names carry units in this code base (annotations are float or ndarray), so a quantity named
without a suffix is not checked. Add a package to DOCUMENTED_PACKAGES once it passes.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
import re
import sys
from typing import Protocol

import pytest

DOCUMENTED_PACKAGES = (
    "heatproof.physics",
    "heatproof.reliability",
    "heatproof.analysis",
    "heatproof.report",
    "heatproof.telemetry",
    "heatproof.procedures",
    "heatproof.records",
    "heatproof.evidence",
    "heatproof.errors",
    "heatproof.folders",
    "heatproof.locks",
    "heatproof.outputs",
    "heatproof.lazy",
    "heatproof.workspace",
    "heatproof.control",
    "heatproof.twin",
    "heatproof.stand",
    "heatproof.modbus",
    "heatproof.recording",
    "heatproof.campaign",
    "heatproof.demo",
    "heatproof.scpi",
    "heatproof.production",
    "heatproof.factory",
    "heatproof.catalog",
    "heatproof.plants",
    "heatproof.economics",
    "heatproof.deployment",
    "heatproof.opcua",
    "heatproof.engines",
    "heatproof.web",
)

# name suffix -> the spellings that state its unit in a docstring
UNITS = {
    "_k": ("K", "kelvin"),
    "_w": ("W", "watts"),
    "_j": ("J", "joules"),
    "_s": ("s", "seconds"),
    "_h": ("h", "hours"),
    "_m": ("m", "metres"),
    "_m2": ("m2",),
    "_m3": ("m3",),
    "_kg": ("kg",),
    "_pa": ("Pa",),
    "_hz": ("Hz",),
    "_w_k": ("W/K",),
    "_per_k": ("1/K",),
    "_per_s": ("1/s",),
    "_w_per_k": ("W/K",),
    "_j_per_k": ("J/K",),
    "_k_per_s": ("K/s",),
    "_w_per_s": ("W/s",),
    "_kg_s": ("kg/s",),
    "_m3_s": ("m3/s",),
    "_m2_s": ("m2/s",),
    "_j_kg": ("J/kg",),
    "_kg_m3": ("kg/m3",),
    "_j_kgk": ("J/(kg K)",),
    "_w_mk": ("W/(m K)",),
    "_1_k": ("1/K",),
}


def _modules(package: str):
    """The package or module itself, then each submodule of a package that is checked."""
    root = importlib.import_module(package)
    yield root
    for info in pkgutil.walk_packages(getattr(root, "__path__", []), package + "."):
        parts = info.name.split(".")
        if not any(part.startswith("_") or part == "migrations" for part in parts):
            yield importlib.import_module(info.name)


def _public(module):
    if hasattr(module, "__all__"):
        return [(name, getattr(module, name)) for name in module.__all__]
    return [
        (name, obj)
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == module.__name__
    ]


def _methods(cls):
    """(name, callable, docstring) of each public method the class body defines."""
    for name, attr in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(attr, property):
            yield name, attr.fget, attr.__doc__ or _inherited_doc(cls, name)
        elif inspect.isfunction(attr) or isinstance(attr, classmethod | staticmethod):
            yield name, getattr(cls, name), inspect.getdoc(getattr(cls, name))


def _inherited_doc(cls, name: str) -> str | None:
    """The docstring of the member `name` of the nearest base class that documents it."""
    for base in cls.__mro__[1:]:
        member = base.__dict__.get(name)
        doc = getattr(member, "__doc__", None) if member is not None else None
        if doc and not isinstance(member, str | int | float):
            return inspect.cleandoc(doc)
    return None


class _Protocol(Protocol):
    """A protocol without its own __init__: it has the one typing gives every such protocol."""


def _parameters(obj) -> list[str]:
    if inspect.isclass(obj) and issubclass(obj, enum.Enum):
        return []
    if inspect.isclass(obj) and obj.__init__ is _Protocol.__init__:
        return []  # typing's (*args, **kwargs) of a protocol, which is never constructed
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):  # a builtin without a signature
        return []
    return [p for p in signature.parameters if p not in ("self", "cls")]


def _names(text: str, word: str) -> bool:
    """True when ``word`` stands as a whole word in ``text``; a letter after an apostrophe that
    follows a letter (the s of "heatproof's", the t of "don't") is part of its word, not one."""
    return re.search(rf"(?<!\w)(?<!\w['’]){re.escape(word)}(?!\w)", text) is not None


def _states_unit(text: str, unit: str) -> bool:
    """True when the unit stands on its own: after a space, "(", "[" or "/" and before a space,
    ")", "]", ",", ";", ".", ":", "/" or "^" (so the s of "it's" is not seconds)."""
    return re.search(rf"(?:^|(?<=[\s(\[/])){re.escape(unit)}(?=$|[\s)\],;.:/^])", text) is not None


def _unit_suffix(name: str) -> str | None:
    matches = [suffix for suffix in UNITS if name.endswith(suffix) and name != suffix[1:]]
    return max(matches, key=len, default=None)


def _problems(qualname: str, obj, doc: str | None, module_doc: str) -> list[str]:
    if not doc:
        return [f"{qualname}: no docstring"]
    problems = []
    for name in _parameters(obj):
        if not _names(doc, name):
            problems.append(f"{qualname}: parameter {name} not named in the docstring")
        suffix = _unit_suffix(name)
        if suffix is None or any(_states_unit(doc, unit) for unit in UNITS[suffix]):
            continue
        if not ("unit suffix" in module_doc and _names(module_doc, suffix)):
            problems.append(f"{qualname}: parameter {name} has no unit stated ({UNITS[suffix][0]})")
    return problems


def _class_doc(cls) -> str | None:
    """The class's own docstring (not a base class's, not the signature dataclasses write for an
    undocumented class), followed by its own __init__'s."""
    own = cls.__dict__.get("__doc__")
    try:
        if own == cls.__name__ + str(inspect.signature(cls)).replace(" -> None", ""):
            own = None
    except (TypeError, ValueError):
        pass
    init = cls.__dict__.get("__init__")
    parts = [inspect.cleandoc(d) for d in (own, getattr(init, "__doc__", None)) if d]
    return "\n".join(parts) or None


def undocumented(package: str) -> list[str]:
    """Every failure of the rules above in the package, one line each."""
    problems, seen = [], set()
    for module in _modules(package):
        for name, obj in _public(module):
            if id(obj) in seen or not callable(obj):
                continue
            seen.add(id(obj))
            module_doc = sys.modules[obj.__module__].__doc__ or ""  # where it is defined
            qualname = f"{module.__name__}.{name}"
            if not inspect.isclass(obj):
                problems += _problems(qualname, obj, inspect.getdoc(obj), module_doc)
                continue
            problems += _problems(qualname, obj, _class_doc(obj), module_doc)
            for method, function, doc in _methods(obj):
                problems += _problems(f"{qualname}.{method}", function, doc, module_doc)
    return problems


@pytest.mark.parametrize("package", DOCUMENTED_PACKAGES)
def test_public_callables_document_their_parameters_with_units(package):
    problems = undocumented(package)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_the_check_catches_what_it_should():
    """An undocumented parameter, a unit left unstated and a missing docstring are all caught."""

    def speed(distance_m, time_s):
        """Speed of travel over distance_m (m) in time_s."""

    def bare(x):
        pass

    def fine(t_k):
        """Doubles t_k (K)."""

    assert _problems("speed", speed, speed.__doc__, "") == [
        "speed: parameter time_s has no unit stated (s)"
    ]
    assert _problems("speed", speed, speed.__doc__, "Every unit suffix (_s) is SI.") == []
    assert _problems("bare", bare, bare.__doc__, "") == ["bare: no docstring"]
    assert _problems("fine", fine, "Doubles t (K).", "") == [
        "fine: parameter t_k not named in the docstring"
    ]
    assert _problems("fine", fine, fine.__doc__, "") == []
    assert not _names("heatproof's store", "s") and not _names("it’s", "s")
    assert _names("the 's' flag", "s") and _names("s (a string)", "s")
    assert _unit_suffix("cp_j_kgk") == "_j_kgk" and _unit_suffix("rho_kg_m3") == "_kg_m3"
    assert _unit_suffix("kp_w_per_k") == "_w_per_k" and _unit_suffix("rate_per_s") == "_per_s"


def test_a_protocol_has_no_parameters_unless_it_defines_its_constructor():
    class Plug(Protocol):
        def read(self, patience_s: float) -> float: ...

    class Made(Protocol):
        def __init__(self, name: str) -> None: ...

    assert _parameters(Plug) == [] and _parameters(Made) == ["name"]


def test_a_single_module_is_checked_alone_and_migrations_are_skipped():
    assert [module.__name__ for module in _modules("heatproof.locks")] == ["heatproof.locks"]
    names = [module.__name__ for module in _modules("heatproof.records")]
    assert "heatproof.records.repository" in names
    assert not any("migrations" in name for name in names)
