"""Cycles in a dependency graph, found once each and named in a stable order."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence


def cycles(nodes: Sequence[Hashable], edges: Mapping[Hashable, Iterable[Hashable]],
           order: Callable[[Hashable], object]) -> list[list[Hashable]]:
    """Return one cycle per strongly connected component that loops, as a path of nodes.

    Each cycle starts at its first node by ``order`` (a source position), so the same ruleset
    always names the same cycle the same way. Iterative Tarjan: no recursion limit to hit.
    """
    index: dict[Hashable, int] = {}
    low: dict[Hashable, int] = {}
    on_stack: set[Hashable] = set()
    stack: list[Hashable] = []
    components: list[list[Hashable]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                loops = len(component) > 1 or node in set(edges.get(node, ()))
                if loops:
                    components.append(component)
    return [_path(component, edges, order) for component in components]


def _path(component: list[Hashable], edges: Mapping[Hashable, Iterable[Hashable]],
          order: Callable[[Hashable], object]) -> list[Hashable]:
    """A closed walk through the component, from its first node back to it (shortest steps)."""
    members = set(component)
    start = min(component, key=order)
    previous: dict[Hashable, Hashable] = {}
    frontier = [start]
    seen = {start}
    while frontier:
        following = []
        for node in frontier:
            for child in sorted((c for c in edges.get(node, ()) if c in members), key=order):
                if child == start:
                    path = [start]
                    walk = node
                    while walk != start:
                        path.append(walk)
                        walk = previous[walk]
                    return [start, *reversed(path[1:]), start] if len(path) > 1 else [start, start]
                if child not in seen:
                    seen.add(child)
                    previous[child] = node
                    following.append(child)
        frontier = following
    return [start, start]
