"""A set-up: one value for every setting in the table, checked alone and together.

The same set-up (seed included) gives the same run in the CLI, the app and a sweep.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .activations import ACTIVATIONS
from .datasets import DATASETS
from .settings import SETTINGS, Setting, SettingError, is_trainable


class Setup(Mapping[str, Any]):
    """Immutable setting values (``setup.lr``), with defaults from the table for those not given."""

    __slots__ = ("_values",)

    def __init__(self, **values: Any) -> None:
        unknown = [k for k in values if k not in SETTINGS]
        if unknown:
            raise SettingError(unknown[0], f"no such setting; known: {', '.join(SETTINGS)}")
        checked = {name: s.check(values[name]) if name in values else s.default for name, s in SETTINGS.items()}
        object.__setattr__(self, "_values", checked)

    # --- reading ----------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"Setup has no setting {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Setup is immutable; use setup.with_(name=value)")

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Setup) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __repr__(self) -> str:
        changed = ", ".join(f"{k}={v!r}" for k, v in self.changed().items())
        return f"Setup({changed})"

    def changed(self) -> dict[str, Any]:
        """The values that differ from the table's defaults, in table order."""
        return {k: v for k, v in self._values.items() if v != SETTINGS[k].default}

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe values (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self._values.items()}

    # --- changing ---------------------------------------------------------------------

    def with_(self, **changes: Any) -> Setup:
        """A checked copy with some settings changed (this one is untouched)."""
        return Setup(**{**self._values, **changes})

    def validate(self) -> Setup:
        """Check the settings together (SettingError names the first bad one); return self."""
        if self.csv is None and self.dataset not in DATASETS:
            raise SettingError("dataset", f"unknown {self.dataset!r}; choose one of: {', '.join(DATASETS)}")
        if self.layer_activations and len(self.layer_activations) != len(self.hidden):
            raise SettingError("layer_activations", f"give one per hidden layer ({len(self.hidden)}), "
                                                    f"got {len(self.layer_activations)}")
        for name in self.hidden_activations():
            if not is_trainable(name, self.trainer):
                where = "activation" if name == self.activation else "layer_activations"
                raise SettingError(where, f"{name} has no useful gradient, so back-propagation cannot train "
                                          f"it; choose the trainer ga or es")
        return self

    # --- applicability ----------------------------------------------------------------

    def hidden_activations(self) -> list[str]:
        """The activation of each hidden layer (per-layer choices win over the global one)."""
        per = list(self.layer_activations) or [None] * len(self.hidden)
        return [a or self.activation for a in per]

    def data_traits(self) -> set[str]:
        """What kind of data the set-up names: file, noisy (generated with noise), split, plane."""
        traits = {"all", "split"}
        if self.csv is not None:
            traits.add("file")
        else:
            spec = DATASETS.get(self.dataset)
            if spec is not None and spec.uses_noise and not spec.real:
                traits.add("noisy")
            if spec is not None:
                traits.add("plane")            # every built-in set is 2-D
        return traits

    def why_not(self, entry: Setting, traits: set[str] | None = None) -> str | None:
        """None when the setting applies to this set-up, else a short reason ("ga and es only")."""
        if self.trainer not in entry.trainers:
            names = sorted(entry.trainers)
            return f"applies to trainer {' or '.join(names)} only, not {self.trainer}"
        traits = self.data_traits() if traits is None else traits
        if entry.data not in traits:
            return {"noisy": "applies to generated data only", "split": "does not apply to drawn data",
                    "plane": "applies to 2-D data only", "file": "applies to a CSV file only"}[entry.data]
        for other, allowed in entry.requires:
            if self._values[other] not in allowed:
                return f"applies with {other} {' or '.join(map(str, allowed))} only"
        return None

    def applies(self, name: str, traits: set[str] | None = None) -> bool:
        """True when setting ``name`` means something for this set-up."""
        return self.why_not(SETTINGS[name], traits) is None


def step_activations(trainer: str) -> tuple[str, ...]:
    """The hidden activations a trainer can train (the app offers only these)."""
    return tuple(n for n, s in ACTIVATIONS.items() if not s.output_only and is_trainable(n, trainer))


__all__ = ["Setup", "step_activations"]
