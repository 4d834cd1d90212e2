/** Shapes of the composite-index API (GET /api/index/methodologies, /api/index/:code/results). */

export interface Methodology {
  id: number;
  code: string;
  version: string;
  name_vi: string;
  name_en: string | null;
  levels: string[];
  root: string;
  source: string | null;
  sensitivity: { runs: number; weight_noise: number } | null;
  years: number[];
}

export interface IndexNode {
  code: string;
  name_vi: string;
  name_en: string | null;
  indicator: string | null;
  max_points: number | null;
  children: Array<{ code: string; weight: number }>;
}

export interface NodeResult {
  raw: number | null;
  score: number | null;
  rank: number | null;
  previous_rank: number | null;
  rank_change: number | null;
}

export interface UnitResult {
  org_unit: { code: string; name_vi: string; level: string };
  score: number | null;
  rank: number | null;
  previous_rank: number | null;
  rank_change: number | null;
  sensitivity: { median_rank: number; q5: number; q95: number } | null;
  strengths: Array<{ node: string; rank: number; score: number }>;
  weaknesses: Array<{ node: string; rank: number; score: number }>;
  nodes: Record<string, NodeResult>;
}

export interface IndexResults {
  methodology: {
    id: number;
    code: string;
    version: string;
    name_vi: string;
    name_en: string | null;
    root: string;
  };
  period: string;
  sensitivity: { runs: number; weight_noise: number; failed_runs: number } | null;
  error: { vi: string; en: string } | null;
  nodes: IndexNode[];
  units: UnitResult[];
}

/** The nodes in tree order from the root, each with its depth (a node under several parents once). */
export function nodesInOrder(nodes: IndexNode[], root: string): Array<{ node: IndexNode; depth: number }> {
  const by = new Map(nodes.map((n) => [n.code, n]));
  const out: Array<{ node: IndexNode; depth: number }> = [];
  const seen = new Set<string>();
  const walk = (code: string, depth: number) => {
    const n = by.get(code);
    if (!n || seen.has(code)) return;
    seen.add(code);
    out.push({ node: n, depth });
    for (const c of n.children) walk(c.code, depth + 1);
  };
  walk(root, 0);
  return out;
}
