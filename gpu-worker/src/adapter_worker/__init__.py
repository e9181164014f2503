"""Adapter Studio GPU worker: Stable Diffusion generation steered by IP-Adapter, ControlNet,
T2I-Adapter and LoRA, served over worker protocol v1 (docs/worker-protocol.md)."""

__version__ = "0.1.0"
