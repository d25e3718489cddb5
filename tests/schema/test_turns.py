"""Turns on the event loop: results that became ready at once are let
through one per loop iteration, in order (`gigsta.schema.core.turns`)."""

from __future__ import annotations

import asyncio

from gigsta.schema.core.turns import take_turn


async def _iterations(passed: list[int], count: int) -> list[int]:
    """How many had passed after each of `count` loop iterations."""
    seen = []
    for _ in range(count):
        await asyncio.sleep(0)
        seen.append(len(passed))
    return seen


async def _waiter(passed: list[int], n: int) -> None:
    await take_turn()
    passed.append(n)


async def test_turns_are_taken_in_order_one_per_loop_iteration():
    passed: list[int] = []
    tasks = [asyncio.create_task(_waiter(passed, n)) for n in range(4)]
    seen = await _iterations(passed, 12)
    await asyncio.gather(*tasks)
    assert passed == [0, 1, 2, 3]
    steps = [after - before for before, after in zip([0, *seen], seen, strict=False)]
    assert max(steps) == 1, seen


async def test_a_cancelled_waiter_does_not_hold_the_others():
    passed: list[int] = []
    tasks = [asyncio.create_task(_waiter(passed, n)) for n in range(3)]
    await asyncio.sleep(0)  # all three are waiting
    tasks[0].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert passed == [1, 2]
    # And the next turn is free again.
    await asyncio.wait_for(take_turn(), timeout=1)
