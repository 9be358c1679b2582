"""RLVR for medical VIE: GRPO with a verifiable reward over the shared scorer.

``import rlvr`` is cheap: torch, transformers, trl and peft are imported only inside the functions
that train or convert. The reward (``rlvr.rewards``) needs only ``benchmark.scoring``.
"""

from rlvr.rewards import format_reward, make_match_reward, match_reward, score_completion

__all__ = ["format_reward", "make_match_reward", "match_reward", "score_completion"]
