"""A fix keeps its key while it is offered: a live run re-ranks its findings, and '1' read a minute ago applied
another fix than the one it named (a QA find at 40×20)."""

from __future__ import annotations

from dataclasses import replace

from annplay.core.doctor import DoctorReport
from annplay.widgets.doctor import DoctorView, keep_keys, offers

from .test_doctor_widget import Host, sick_report


def _reversed(report: DoctorReport) -> DoctorReport:
    return replace(report, findings=tuple(reversed(report.findings)))


def test_a_fix_keeps_its_key_when_the_findings_are_reranked() -> None:
    report = sick_report()
    first = offers(report)
    assert len(first) >= 2, "the sick run offers two fixes"
    kept = keep_keys(first, offers(_reversed(report)))
    assert [o.fix.label for o in kept if o] == [o.fix.label for o in first]


def test_a_gone_fix_leaves_its_key_empty_and_a_new_one_takes_the_first_empty_key() -> None:
    report = sick_report()
    a, b = offers(report)[:2]
    assert keep_keys([a, b], [b]) == [None, b]
    assert keep_keys([None, b], [b, a]) == [a, b]
    assert keep_keys([], [a, b]) == [a, b]


async def test_key_1_applies_the_fix_it_showed_after_a_rerank() -> None:
    app = Host()
    report = sick_report()
    async with app.run_test(size=(40, 20)) as pilot:
        view = app.query_one(DoctorView)
        view.show(report)
        await pilot.pause()
        shown_first = offers(report)[0].fix.label
        view.show(_reversed(report))                    # a later sample ranks the other finding first
        await pilot.pause()
        view.focus()
        await pilot.press("1")
        await pilot.pause()
        assert app.chosen and app.chosen[-1].fix.label == shown_first
        assert f"1 try {shown_first}" in "\n".join(str(b.label) for b in view.query("Button"))
