"""Planners that steer a policy (:mod:`arm_gym.policies`) with a scorer: best-of-N, Reflexion and MCTS build here."""
