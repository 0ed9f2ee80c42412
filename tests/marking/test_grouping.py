"""Answer groups: what a marker marks at once must be the same answer, and every answer is in one."""

from __future__ import annotations

from grader.frontends.marking.grouping import group_answers, normalise, stated_number

CHAIN = "By the chain rule, ds/dYo = -Y * sigma(-Y * Yo), then dYo/dWo = H."


def _by_folder(groups):
    return {f: g for g in groups for f in g.folders}


def test_identical_after_normalisation_is_one_group():
    answers = {"a": CHAIN, "b": "  **" + CHAIN.upper() + "**  ", "c": CHAIN + ".", "d": "Something else entirely"}
    groups = _by_folder(group_answers(answers, threshold=1.01))
    assert groups["a"] is groups["b"] is groups["c"] and groups["a"].kind == "same"
    assert groups["d"].folders == ("d",) and groups["d"].kind == "single"


def test_numbers_group_by_the_value_stated():
    answers = {"a": "lr = 0.01", "b": "0.010", "c": "I used 0,01", "d": "lr = 2.0", "e": "between 0.01 and 0.1",
               "f": "2"}
    groups = _by_folder(group_answers(answers))
    assert groups["a"].folders == ("a", "b", "c") and groups["a"].kind == "number" and groups["a"].value == "0.01"
    assert groups["d"].folders == ("d", "f") and groups["d"].value == "2"
    assert stated_number(answers["e"]) is None and groups["e"].folders == ("e",)


def test_blank_answers_are_one_group():
    answers = {"a": "", "b": None, "c": "  \n ", "d": "an answer"}
    groups = _by_folder(group_answers(answers))
    assert groups["a"].folders == ("a", "b", "c") and groups["a"].kind == "blank"


def test_near_duplicates_group_above_the_threshold_only():
    answers = {
        "a": CHAIN,
        "b": CHAIN.replace("then", "and then"),
        "c": "The learning rate was too high so the loss diverged after two epochs.",
    }
    loose = _by_folder(group_answers(answers, threshold=0.8))
    assert loose["a"].folders == ("a", "b") and loose["a"].kind == "similar"
    assert loose["c"].folders == ("c",)
    strict = _by_folder(group_answers(answers, threshold=1.01))
    assert strict["a"].folders == ("a",) and strict["b"].folders == ("b",)


def test_an_answer_moved_apart_stands_alone():
    answers = {"a": CHAIN, "b": CHAIN, "c": CHAIN, "d": ""}
    groups = _by_folder(group_answers(answers, apart={"b", "d"}))
    assert groups["a"].folders == ("a", "c")
    assert groups["b"].folders == ("b",) and groups["b"].kind == "apart"
    assert groups["d"].folders == ("d",) and groups["d"].kind == "apart"


def test_every_answer_is_in_exactly_one_group_largest_first():
    answers = {f"s{i:02d}": ["", "lr = 2", CHAIN, f"my own answer number {i} about {i * 7}"][i % 4] for i in range(40)}
    groups = group_answers(answers)
    members = [f for g in groups for f in g.folders]
    assert sorted(members) == sorted(answers)
    assert [len(g.folders) for g in groups] == sorted((len(g.folders) for g in groups), reverse=True)


def test_normalise_keeps_what_differs():
    assert normalise("**Yes**, it *converges*.") == "yes , it converges"
    assert normalise("it converges") != normalise("it diverges")


def test_near_duplicates_stating_other_numbers_or_saying_less_stay_apart():
    answers = {
        "a": "With a learning rate of 0.1 the loss converges after a few epochs.",
        "b": "With a learning rate of 0.5 the loss converges after a few epochs.",
        "c": CHAIN,
        "d": CHAIN.split(",")[0] + ".",  # its first clause only: not the same answer
    }
    groups = _by_folder(group_answers(answers, threshold=0.5))
    assert groups["a"].folders == ("a",) and groups["b"].folders == ("b",)
    assert groups["c"].folders == ("c",) and groups["d"].folders == ("d",)
