"""Recall and precision of the identifying-detail detector on the labelled test set.

    .venv/bin/python bench/detector.py

A labelled span is found when a detected span overlaps it; a detected span
is correct when it overlaps a labelled one. Prints figures per kind.
"""

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey.moderation.detector import detect  # noqa: E402

TERMS = ["Willow Ward", "Rowan Unit", "Crisis Team", "Northgate", "Harbour House", "Oak Ward"]


def evaluate(comments: list[dict]) -> dict:
    found, total, correct, detected = Counter(), Counter(), 0, 0
    missed, spurious = [], []
    for comment in comments:
        text = comment["text"]
        spans = detect(text, TERMS)
        labelled = []
        for label in comment["spans"]:
            start = text.index(label["text"])
            labelled.append((start, start + len(label["text"]), label["type"]))
        for start, end, kind in labelled:
            total[kind] += 1
            if any(s.start < end and start < s.end for s in spans):
                found[kind] += 1
            else:
                missed.append((kind, text[start:end]))
        for s in spans:
            detected += 1
            if any(s.start < end and start < s.end for start, end, _ in labelled):
                correct += 1
            else:
                spurious.append((s.kind, text[s.start : s.end]))
    return {
        "recall": sum(found.values()) / sum(total.values()),
        "precision": correct / detected if detected else 1.0,
        "by_kind": {k: (found[k], total[k]) for k in sorted(total)},
        "missed": missed,
        "spurious": spurious,
    }


if __name__ == "__main__":
    data = json.loads((ROOT / "tests" / "data" / "moderation_comments.json").read_text())
    result = evaluate(data)
    print(f"comments: {len(data)}  recall: {result['recall']:.3f}  precision: {result['precision']:.3f}")
    for kind, (hit, total) in result["by_kind"].items():
        print(f"  {kind:<11} {hit:>3}/{total:<3} {hit / total:.2f}")
    if "-v" in sys.argv:
        print("missed:", result["missed"])
        print("spurious:", result["spurious"])
