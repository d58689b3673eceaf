"""Benchmark: the continuity engine on stories it has never seen (issue 17).

Reads the labelled corpus in `tests/scenes/continuity_corpus/` (41 worlds, each an initial
script, its gold bible and 9 continuations) and, for each part of `split.yaml` separately
(dev, heldout, fresh, fresh2, fresh3: see the corpus README for which were tuned on), does
what a scene's jobs do:

- the bible of segment 1 from the initial script (`initial_bible`), then the scene-creation
  job's own check of that script against it (`validate`, segment 1): an error there is an
  initial script **refused**;
- each continuation, as segment 2 right after the script: `expand` then `validate`.

It reports, as markdown:

- contradictions **caught** by kind: an issue of the planted kind (`location_jump` and
  `time_jump` count for each other: both are "an unmarked jump") whose excerpt is the offending
  sentence, at severity error: what the StoryForge document's continuity validation rejects
  (the job fails with CONTINUITY_VIOLATION). Also counted at any severity ("flagged": warnings
  are shown on the job but do not stop it);
- **false alarms** on the clean continuations (any issue, and errors only) and on the initial
  scripts;
- the extracted bible against the gold bible: precision and recall of characters, aliases,
  world rules and places, and how many characters got the right status (active or not).

    PYTHONPATH=$PWD .venv/bin/python bench/continuity.py            # every part
    PYTHONPATH=$PWD .venv/bin/python bench/continuity.py --half dev --details

`--details` lists every miss and false alarm of the parts already seen by the tuner (dev,
heldout, fresh, fresh2); it refuses `fresh3`, the part written before the second round of
tuning and never looked into, so that its numbers stay a measure of unseen text.
`--backend llm` runs the language-model analyser (LLM_BASE_URL must point at an
OpenAI-compatible server).
docs/benchmarks.md ("Continuity on unseen stories (issue 17)") has the results.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/continuity.py` puts bench/ first, not the root
    sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "scenes" / "continuity_corpus"
KINDS = ("name_drift", "inactive_character", "world_rule", "jump")
JUMPS = ("location_jump", "time_jump")
PARTS = ("dev", "heldout", "fresh", "fresh2", "fresh3")
# Parts the tuner may look into (--details). fresh3 is measured only, never inspected.
SEEN_PARTS = ("dev", "heldout", "fresh", "fresh2")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-continuity-"))
    import django

    django.setup()


# --- the corpus ---------------------------------------------------------------------------------


def load_corpus(half: str | None = None) -> list[dict[str, Any]]:
    """The worlds of one part (see `PARTS`), or all, in id order."""
    import yaml

    split = yaml.safe_load((CORPUS / "split.yaml").read_text())
    part_of = {world_id: part for part, ids in split.items() for world_id in ids}
    worlds = []
    for path in sorted(CORPUS.glob("w*.yaml")):
        world = yaml.safe_load(path.read_text())
        if world["id"] in part_of and (half is None or part_of[world["id"]] == half):
            world["half"] = part_of[world["id"]]
            worlds.append(world)
    return worlds


def kind_family(kind: str) -> str:
    return "jump" if kind in JUMPS else kind


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[\u201c\u201d\u201e\"\u2018\u2019'`]", "", text)
    return " ".join(re.findall(r"[\w-]+", text))


def same_sentence(excerpt: str, offending: str) -> bool:
    """The issue's excerpt is the offending sentence (or most of it, or it within)."""
    a, b = _norm(excerpt), _norm(offending)
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    wa, wb = set(a.split()), set(b.split())
    return len(wa & wb) / max(1, min(len(wa), len(wb))) >= 0.7


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Counts:
    planted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    flagged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    refused: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    clean: int = 0
    clean_flagged: int = 0
    clean_refused: int = 0
    scripts: int = 0
    scripts_flagged: int = 0
    scripts_refused: int = 0
    extraction: dict[str, list[int]] = field(default_factory=dict)  # name -> [tp_p, n_p, tp_r, n_r]
    status_right: int = 0
    status_total: int = 0
    seconds: float = 0.0
    texts: int = 0
    details: list[str] = field(default_factory=list)

    def add_pr(self, name: str, tp_p: int, n_p: int, tp_r: int, n_r: int) -> None:
        row = self.extraction.setdefault(name, [0, 0, 0, 0])
        for i, value in enumerate((tp_p, n_p, tp_r, n_r)):
            row[i] += value


def _names(character: dict[str, Any]) -> set[str]:
    return {_norm(n) for n in [character["canonicalName"], *character.get("aliases", [])] if n}


def _gold_names(character: dict[str, Any]) -> set[str]:
    return {_norm(n) for n in [character["name"], *character.get("aliases", [])] if n}


def _place_key(name: str) -> str:
    return re.sub(r"^the ", "", _norm(name))


def _place_match(a: str, b: str) -> bool:
    a, b = _place_key(a), _place_key(b)
    return (
        a == b
        or re.search(rf"\b{re.escape(a)}\b", b) is not None
        or (re.search(rf"\b{re.escape(b)}\b", a) is not None)
    )


STOP = set("the a an of to in on at is are no not can may be by and or any one".split())  # noqa: SIM905


def _rule_words(text: str) -> set[str]:
    return {w[:5] for w in _norm(text).split() if w not in STOP and len(w) > 2}


def _rule_match(extracted: str, gold: str) -> bool:
    a, b = _rule_words(extracted), _rule_words(gold)
    return bool(a and b) and len(a & b) / len(b) >= 0.6


def measure_extraction(bible: dict[str, Any], gold: dict[str, Any], counts: Counts) -> None:
    """Precision and recall of the bible's characters, aliases, rules and places vs gold."""
    extracted = bible.get("characters", [])
    golds = gold["characters"]
    pairs: dict[int, dict[str, Any]] = {}  # gold index -> extracted character
    used: set[int] = set()
    for gi, g in enumerate(golds):
        for ei, e in enumerate(extracted):
            if ei not in used and _names(e) & _gold_names(g):
                pairs[gi] = e
                used.add(ei)
                break
    counts.add_pr("characters", len(used), len(extracted), len(pairs), len(golds))
    ext_aliases = {(id(e), n) for e in extracted for n in _names(e)}
    tp_p = sum(len(_names(e) & _gold_names(golds[gi])) for gi, e in pairs.items())
    gold_aliases = sum(len(_gold_names(g)) for g in golds)
    counts.add_pr("aliases", tp_p, len(ext_aliases), tp_p, gold_aliases)
    for gi, e in pairs.items():
        counts.status_total += 1
        counts.status_right += (golds[gi]["status"] == "active") == bool(e.get("isActive", True))
    rules = bible.get("setting", {}).get("worldRules", [])
    gold_rules = [r["text"] for r in gold["rules"]]
    counts.add_pr(
        "world rules",
        sum(any(_rule_match(r, g) for g in gold_rules) for r in rules),
        len(rules),
        sum(any(_rule_match(r, g) for r in rules) for g in gold_rules),
        len(gold_rules),
    )
    places = [loc["name"] for loc in bible.get("setting", {}).get("locations", [])]
    counts.add_pr(
        "places",
        sum(any(_place_match(p, g) for g in gold["places"]) for p in places),
        len(places),
        sum(any(_place_match(p, g) for p in places) for g in gold["places"]),
        len(gold["places"]),
    )


def _describe(issues: Iterable[dict[str, Any]]) -> str:
    return "; ".join(
        f"{i['type']}/{i['severity']}: {i['description']} [{i.get('excerpt', '')[:80]}]"
        for i in issues
    )


def evaluate_world(analyzer: Any, world: dict[str, Any], counts: Counts) -> None:
    """Run one world through the engine and add what it got right and wrong to `counts`."""
    started = time.perf_counter()
    script = world["script"].strip()
    bible = analyzer.initial_bible(script=script, title=world["title"], genre_hint=world["genre"])
    measure_extraction(bible, world["gold"], counts)
    shots = analyzer.expand(text=script, bible=bible)
    issues = analyzer.validate(text=script, shots=shots, bible=bible, segment_number=1)
    counts.scripts += 1
    counts.texts += 1
    counts.scripts_flagged += bool(issues)
    refused = [i for i in issues if i["severity"] == "error"]
    counts.scripts_refused += bool(refused)
    if issues:
        counts.details.append(f"{world['id']} initial script: {_describe(issues)}")
    for n, item in enumerate(world["continuations"], 1):
        text = item["text"].strip()
        shots = analyzer.expand(text=text, bible=bible)
        issues = analyzer.validate(text=text, shots=shots, bible=bible, segment_number=2)
        counts.texts += 1
        errors = [i for i in issues if i["severity"] == "error"]
        note = f": {item['note']}" if item.get("note") else ""
        label = f"{world['id']} c{n} ({item['kind']}{note})"
        if item["kind"] == "clean":
            counts.clean += 1
            counts.clean_flagged += bool(issues)
            counts.clean_refused += bool(errors)
            if issues:
                counts.details.append(f"FALSE ALARM {label}: {_describe(issues)}")
            continue
        family = kind_family(item["kind"])
        counts.planted[family] += 1
        hits = [
            i
            for i in issues
            if kind_family(i["type"]) == family
            and same_sentence(i.get("excerpt", ""), item["offending"])
        ]
        counts.flagged[family] += bool(hits)
        counts.refused[family] += any(i["severity"] == "error" for i in hits)
        if not hits:
            counts.details.append(
                f"MISSED {label}: {item['offending'].strip()!r}"
                + (f" -- got {_describe(issues)}" if issues else "")
            )
    counts.seconds += time.perf_counter() - started


def run(half: str, backend: str = "rules") -> Counts:
    from scenes.analysis import LlmAnalyzer, RuleAnalyzer

    analyzer = LlmAnalyzer.from_settings() if backend == "llm" else RuleAnalyzer()
    counts = Counts()
    for world in load_corpus(half):
        evaluate_world(analyzer, world, counts)
    return counts


# --- reporting ----------------------------------------------------------------------------------


def rates(counts: Counts) -> dict[str, float]:
    """The headline rates (for the regression test and --json)."""
    planted = sum(counts.planted.values())
    out = {
        # What the document's check rejects: an error of the planted kind on the sentence.
        "caught": sum(counts.refused.values()) / max(1, planted),
        "flagged": sum(counts.flagged.values()) / max(1, planted),
        "false_alarms": counts.clean_flagged / max(1, counts.clean),
        "false_refusals": counts.clean_refused / max(1, counts.clean),
        "scripts_refused": counts.scripts_refused / max(1, counts.scripts),
        "status_accuracy": counts.status_right / max(1, counts.status_total),
    }
    for kind in KINDS:
        out[f"caught_{kind}"] = counts.refused[kind] / max(1, counts.planted[kind])
        out[f"flagged_{kind}"] = counts.flagged[kind] / max(1, counts.planted[kind])
    for name, (tp_p, n_p, tp_r, n_r) in counts.extraction.items():
        key = name.replace(" ", "_")
        out[f"{key}_precision"] = tp_p / max(1, n_p)
        out[f"{key}_recall"] = tp_r / max(1, n_r)
    return out


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / max(1, b):.0f} %)"


def report(half: str, counts: Counts) -> str:
    rows = [
        f"**{half}** ({counts.scripts} worlds, {counts.texts} texts, "
        f"{1000 * counts.seconds / max(1, counts.texts):.1f} ms per text)",
        "",
        "| contradictions | planted | caught (error: rejected) | flagged (any severity) |",
        "|---|---:|---:|---:|",
    ]
    for kind in KINDS:
        rows.append(
            f"| {kind} | {counts.planted[kind]} | "
            f"{_pct(counts.refused[kind], counts.planted[kind])} | "
            f"{_pct(counts.flagged[kind], counts.planted[kind])} |"
        )
    planted = sum(counts.planted.values())
    rows.append(
        f"| **all** | {planted} | **{_pct(sum(counts.refused.values()), planted)}** | "
        f"{_pct(sum(counts.flagged.values()), planted)} |"
    )
    rows += [
        "",
        "| false alarms | texts | any issue | refused (error) |",
        "|---|---:|---:|---:|",
        f"| clean continuations | {counts.clean} | **{_pct(counts.clean_flagged, counts.clean)}** "
        f"| {_pct(counts.clean_refused, counts.clean)} |",
        f"| initial scripts | {counts.scripts} | {_pct(counts.scripts_flagged, counts.scripts)} "
        f"| **{_pct(counts.scripts_refused, counts.scripts)}** |",
        "",
        "| extraction vs gold | precision | recall |",
        "|---|---:|---:|",
    ]
    for name, (tp_p, n_p, tp_r, n_r) in counts.extraction.items():
        rows.append(f"| {name} | {_pct(tp_p, n_p)} | {_pct(tp_r, n_r)} |")
    rows.append(
        f"| character status (active or not) | {_pct(counts.status_right, counts.status_total)} "
        "| (of the characters found) |"
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=(*PARTS, "all"), default="all")
    parser.add_argument("--backend", choices=("rules", "llm"), default="rules")
    parser.add_argument(
        "--details", action="store_true", help="misses and false alarms (seen parts only)"
    )
    parser.add_argument("--json", type=Path, help="write the rates here")
    args = parser.parse_args(argv)
    halves = PARTS if args.half == "all" else (args.half,)
    if args.details and not set(halves) <= set(SEEN_PARTS):
        parser.error(
            "--details shows only parts already seen by the tuner "
            f"({', '.join(SEEN_PARTS)}): pick one with --half; fresh3 is never looked into"
        )
    _setup_django()
    results = {}
    for half in halves:
        counts = run(half, args.backend)
        results[half] = rates(counts)
        print(report(half, counts))
        print()
        if args.details:
            print("\n".join(counts.details))
            print()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
