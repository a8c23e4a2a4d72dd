"""Test and benchmark tooling: throwaway stacks and services on loopback ports.

- stack: the real Boussole processes (`boussole run`, or the scaled-out layout) on free ports
- services: throwaway PostgreSQL and Redis servers from Debian's packages

Not used by the running product.
"""
