"""A step function of integer time, for the list schedule's resources (no ortools).

    level(x) = sum of the changes made at times <= x

A capacity rule's profile counts the steps running at each time (+1 at a start, -1 at an
end); a balance rule's is its leverage curve (+value when a concession starts, -value when
a counter-step is done). Both are point changes, so a segment tree over the changes
answers every question the list schedule asks in O(log size): the level at a time, the
first time from which the level reaches (or leaves) a threshold, the last time it is above
one. Times past the tree's end hold the final level; the tree doubles when a change lands
beyond it.
"""

from __future__ import annotations


class Profile:
    """level(x) = the sum of the changes at times <= x, for integer times x >= 0."""

    __slots__ = ("_high", "_low", "_size", "_sum", "changes", "total")

    def __init__(self, size: int = 64) -> None:
        #: Every change so far, by time (to rebuild the tree when it grows).
        self.changes: dict[int, int] = {}
        #: The level from the last change on.
        self.total = 0
        self._alloc(size)

    def _alloc(self, size: int) -> None:
        n = 1
        while n < size:
            n *= 2
        self._size = n
        # Node i covers a range of times; _sum[i] is the sum of its changes, _high[i] and
        # _low[i] the highest and lowest partial sums from its first time to any of its
        # times (so the level at time x inside it is the sum before it plus a partial sum).
        self._sum = [0] * (2 * n)
        self._high = [0] * (2 * n)
        self._low = [0] * (2 * n)
        for x, v in self.changes.items():
            self._set(x, v)

    def _set(self, x: int, v: int) -> None:
        i = x + self._size
        s, hi, lo = self._sum, self._high, self._low
        s[i] = hi[i] = lo[i] = v
        i >>= 1
        while i:
            a = 2 * i
            b = a + 1
            sa = s[a]
            s[i] = sa + s[b]
            hi[i] = max(hi[a], sa + hi[b])
            lo[i] = min(lo[a], sa + lo[b])
            i >>= 1

    def add(self, x: int, v: int) -> None:
        """Change the level by `v` from time `x` on."""
        if not v:
            return
        new = self.changes.get(x, 0) + v
        if new:
            self.changes[x] = new
        else:
            del self.changes[x]
        self.total += v
        if x >= self._size:
            self._alloc(2 * x + 2)
        else:
            self._set(x, new)

    def level(self, x: int) -> int:
        """The level at time x (0 before any change)."""
        if x < 0:
            return 0
        if x >= self._size:
            return self.total
        # Sum over [0, x]: bottom-up over the half-open range [n, n + x + 1).
        s = self._sum
        total = 0
        i, j = self._size, self._size + x + 1
        while i < j:
            if i & 1:
                total += s[i]
                i += 1
            if j & 1:
                j -= 1
                total += s[j]
            i >>= 1
            j >>= 1
        return total

    def _nodes_from(self, x: int) -> list[int]:
        """The tree nodes that cover [x, size), left to right."""
        out = []
        i, j = x + self._size, 2 * self._size
        while i < j:
            if i & 1:
                out.append(i)
                i += 1
            i >>= 1
            j >>= 1
        return out

    def first_at_least(self, x: int, threshold: int) -> int | None:
        """The first time >= x at which the level is >= threshold (None: never)."""
        x = max(x, 0)
        if x >= self._size:
            return x if self.total >= threshold else None
        s, hi = self._sum, self._high
        before = self.level(x - 1)
        for node in self._nodes_from(x):
            if before + hi[node] >= threshold:
                while node < self._size:
                    node *= 2
                    if before + hi[node] < threshold:
                        before += s[node]
                        node += 1
                return node - self._size
            before += s[node]
        return self._size if self.total >= threshold else None

    def first_below(self, x: int, threshold: int) -> int | None:
        """The first time >= x at which the level is < threshold (None: never)."""
        x = max(x, 0)
        if x >= self._size:
            return x if self.total < threshold else None
        s, lo = self._sum, self._low
        before = self.level(x - 1)
        for node in self._nodes_from(x):
            if before + lo[node] < threshold:
                while node < self._size:
                    node *= 2
                    if before + lo[node] >= threshold:
                        before += s[node]
                        node += 1
                return node - self._size
            before += s[node]
        return self._size if self.total < threshold else None

    def last_above(self, threshold: int) -> int:
        """The last time before the tree's end at which the level is > threshold, -1 when
        none is (from the end on, the level is `total`)."""
        s, hi = self._sum, self._high
        if hi[1] <= threshold:
            return -1
        node, before = 1, 0
        while node < self._size:
            left = 2 * node
            if before + s[left] + hi[left + 1] > threshold:
                before += s[left]
                node = left + 1
            else:
                node = left
        return node - self._size

    def fit(self, x: int, length: int | None, top: int) -> int | None:
        """The first time t >= x such that the level stays <= top over [t, t + length)
        (`length` None: from t on, forever); None when no such time exists."""
        if length is None:
            if self.total > top:
                return None
            return max(x, self.last_above(top) + 1)
        t = x
        while True:
            over = self.first_at_least(t, top + 1)
            if over is None or over >= t + length:
                return t
            below = self.first_below(over, top + 1)
            if below is None:
                return None
            t = below
