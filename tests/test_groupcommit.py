"""Group commit: work handed in by many threads at once is written in few batches, each caller gets its own
result, and a bad piece of work fails only its own caller."""

import threading

import pytest

from dcs.groupcommit import GroupCommit


def test_work_that_arrives_during_a_write_goes_into_the_next_batch_and_each_caller_gets_its_own_result():
    batches, first_writing, others_waiting = [], threading.Event(), threading.Event()

    def write(works):
        batches.append(list(works))
        if len(batches) == 1:
            first_writing.set()
            assert others_waiting.wait(30), "the other callers never queued"
        return [w * 2 for w in works]

    commits = GroupCommit(write)
    results = {}

    def caller(number):
        results[number] = commits.submit(number)

    first = threading.Thread(target=caller, args=(0,))
    first.start()
    assert first_writing.wait(30)
    others = [threading.Thread(target=caller, args=(n,)) for n in range(1, 40)]
    for thread in others:
        thread.start()
    for _ in range(3000):  # bounded: until all 39 wait behind the first write
        if len(commits.pending) == 39:
            break
        threading.Event().wait(0.01)
    others_waiting.set()
    for thread in [first, *others]:
        thread.join(30)
    assert results == {n: 2 * n for n in range(40)}
    assert batches[0] == [0] and sorted(batches[1]) == list(range(1, 40)) and len(batches) == 2


def test_a_bad_piece_of_work_fails_only_its_caller():
    def write(works):
        if "bad" in works:
            raise ValueError("bad work")
        return [w.upper() for w in works]

    commits = GroupCommit(write)
    assert commits.submit("good") == "GOOD"
    with pytest.raises(ValueError, match="bad work"):
        commits.submit("bad")
    assert commits.submit("after") == "AFTER"  # the next caller is not stuck behind it
