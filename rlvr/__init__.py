"""RLVR for medical VIE: GRPO with a verifiable reward over the shared scorer.

``import rlvr`` is cheap: torch, transformers, trl and peft are imported only inside the functions
that train or convert. The reward (``rlvr.rewards``) needs only ``benchmark.scoring``.
"""

from typing import Any

__all__ = ["format_reward", "make_match_reward", "match_reward", "score_completion"]


def __getattr__(name: str) -> Any:
    """The reward is imported on first use: ``medvie-bench`` imports ``rlvr.cli`` at start-up."""
    if name in __all__:
        from rlvr import rewards

        return getattr(rewards, name)
    raise AttributeError(f"module 'rlvr' has no attribute {name!r}")
