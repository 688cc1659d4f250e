"""ARM-WebShop-v0: a WebShop-compatible shopping environment that runs anywhere, fast.

Public names: :class:`WebShopEnv`, :class:`Goal`, :class:`Product`, :func:`score_purchase`,
:func:`expert_actions`. The catalogue is generated from a seed (10,000 products by default,
scales to millions); WebShop's official files load with ``data_path=`` or ``$ARM_GYM_WEBSHOP_DATA``.
"""

from __future__ import annotations

from arm_gym.envs.webshop.env import WebShopEnv, WebShopState
from arm_gym.envs.webshop.expert import expert_actions
from arm_gym.envs.webshop.reward import score_purchase
from arm_gym.envs.webshop.schema import Goal, Product

__all__ = ["Goal", "Product", "WebShopEnv", "WebShopState", "expert_actions", "score_purchase"]
