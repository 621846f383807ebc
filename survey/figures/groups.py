"""The groups a breakdown splits respondents into.

Each choice of a breakdown question is a group, except that choices the
organiser gave the same ``merge`` label (for example three small services
as "Other services") are one group: its figures are the sum of its members'
and no figure is ever computed for a member alone. A group is a key group
(spared when a complement is chosen, disclosure.complement) when any of its
members is marked ``key_group``.
"""

from dataclasses import dataclass

from survey.figures.counts import Counts
from survey.models import Question

MERGED_VALUES = "+"  # a merged group's value: its members' values joined by this


@dataclass(frozen=True)
class Group:
    pk: int  # its first member's choice id: results of the group are stored under it
    value: str
    label: str
    members: tuple[int, ...]
    key: bool
    population: int | None = None  # staff in the group: known only when known for every member
    counted: bool = True  # a breakdown's choices are always counted in the base


def breakdown_groups(question: Question) -> list[Group]:
    """A breakdown question's groups, in the order of their first member."""
    merged: dict[str, list] = {}
    out: list = []
    for choice in question.choices.all():
        if not choice.merge:
            out.append([choice])
        elif choice.merge in merged:
            merged[choice.merge].append(choice)
        else:
            merged[choice.merge] = [choice]
            out.append(merged[choice.merge])
    return [
        Group(
            pk=members[0].pk,
            value=MERGED_VALUES.join(c.value for c in members) if members[0].merge else members[0].value,
            label=members[0].merge or members[0].label,
            members=tuple(c.pk for c in members),
            key=any(c.key_group for c in members),
            population=None if any(c.population is None for c in members) else sum(c.population for c in members),
        )
        for members in out
    ]


def key_groups(question: Question) -> set[int]:
    return {g.pk for g in breakdown_groups(question) if g.key}


def merged_counts(counts: Counts, breakdowns: list[Question]) -> Counts:
    """The counts with every merged group's members counted as the group
    (its first member's id), so that nothing downstream sees a member."""
    into = {}
    for i, question in enumerate(breakdowns):
        for group in breakdown_groups(question):
            for member in group.members:
                into[(i, member)] = group.pk
    if all(into[key] == key[1] for key in into):
        return counts

    def regroup(groups: tuple) -> tuple:
        return tuple(into.get((i, g), g) for i, g in enumerate(groups))

    # A breakdown question's own answers are counted by group too.
    own = {question.pk: i for i, question in enumerate(breakdowns)}
    out = Counts(respondents=counts.respondents)
    for (q, c, groups), n in counts.answers.items():
        key = (q, into.get((own[q], c), c) if q in own else c, regroup(groups))
        out.answers[key] = out.answers.get(key, 0) + n
    for (q, groups), n in counts.bases.items():
        key = (q, regroup(groups))
        out.bases[key] = out.bases.get(key, 0) + n
    for (c, groups), four in counts.concerns.items():
        key = (c, regroup(groups))
        have = out.concerns.get(key, (0, 0, 0, 0))
        out.concerns[key] = tuple(a + b for a, b in zip(have, four, strict=True))
    return out
