"""The harness the tests and the benchmarks share: a real server process on loopback
(`system`), a throwaway PostgreSQL cluster (`pgcluster`), a TCP proxy that injects network
faults (`proxy`) and the kill -9 cycles against the kiosk store (`crash`).

It lives with the tests because it is not product code: nothing here ships in the wheel,
and no module of kiosk, sync or server may import it (an import contract holds that).
"""
