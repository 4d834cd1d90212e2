/**
 * The route table. Every page is its own chunk, loaded when first visited (react-router `lazy`).
 * The signed-in pages (paths under workspace and admin) also load the "work" translations first.
 */
import { createBrowserRouter, type RouteObject } from 'react-router';
import { Loading } from '../components/States.tsx';
import { loadNamespace } from '../i18n/i18n.tsx';
import { Root } from './Root.tsx';
import { RouteError } from './RouteError.tsx';

/** Paths whose pages read the "work" translations (src/web/i18n/work). */
const WORK_PATH = /^(?:workspace|admin)(?:\/|$)/;

/** Routes under workspace and admin load their page and the "work" translations together. */
export function withNamespace(routes: RouteObject[]): RouteObject[] {
  return routes.map((r) => {
    const lazy = r.lazy;
    if (!r.path || !WORK_PATH.test(r.path) || typeof lazy !== 'function') return r;
    return { ...r, lazy: () => Promise.all([lazy(), loadNamespace('work')]).then(([m]) => m) } as RouteObject;
  });
}

/** The route table (the browser's router, and the server's rendering of the overview: src/web/ssr.tsx). */
export function appRoutes(): RouteObject[] {
  return [
    {
      path: '/',
      Component: Root,
      ErrorBoundary: RouteError,
      HydrateFallback: Loading,
      children: [
        {
          ErrorBoundary: RouteError,
          children: withNamespace([
            { index: true, lazy: () => import('../features/overview/OverviewPage.tsx') },
            { path: 'indicators', lazy: () => import('../features/indicators/IndicatorsPage.tsx') },
            { path: 'indicators/:code', lazy: () => import('../features/indicators/IndicatorPage.tsx') },
            { path: 'units', lazy: () => import('../features/units/UnitsPage.tsx') },
            { path: 'units/:code', lazy: () => import('../features/units/UnitPage.tsx') },
            { path: 'documents', lazy: () => import('../features/documents/DocumentsPage.tsx') },
            { path: 'documents/:code', lazy: () => import('../features/documents/DocumentPage.tsx') },
            { path: 'rankings', lazy: () => import('../features/ranking/RankingsPage.tsx') },
            { path: 'rankings/:code', lazy: () => import('../features/ranking/RankingPage.tsx') },
            { path: 'plans', lazy: () => import('../features/plans/PlansPage.tsx') },
            { path: 'plans/:code', lazy: () => import('../features/plans/PlanPage.tsx') },
            { path: 'plans/:code/tasks/:number', lazy: () => import('../features/plans/TaskPage.tsx') },
            { path: 'data', lazy: () => import('../features/opendata/OpenDataPage.tsx') },
            { path: 'login', lazy: () => import('../features/auth/LoginPage.tsx') },
            { path: 'account/password', lazy: () => import('../features/auth/ChangePasswordPage.tsx') },
            { path: 'workspace', lazy: () => import('../features/workspace/WorkspacePage.tsx') },
            {
              path: 'workspace/submissions/:id',
              lazy: () => import('../features/workspace/SubmissionPage.tsx'),
            },
            { path: 'workspace/review', lazy: () => import('../features/review/ReviewInboxPage.tsx') },
            { path: 'workspace/feedback', lazy: () => import('../features/feedback/FeedbackInboxPage.tsx') },
            { path: 'workspace/review/:id', lazy: () => import('../features/review/ReviewPage.tsx') },
            { path: 'admin/rounds', lazy: () => import('../features/admin-workflow/RoundsPage.tsx') },
            { path: 'admin/rounds/new', lazy: () => import('../features/admin-workflow/OpenRoundPage.tsx') },
            { path: 'admin/rounds/rules', lazy: () => import('../features/admin-workflow/RulesPage.tsx') },
            {
              path: 'admin/rounds/forms/new',
              lazy: () => import('../features/admin-workflow/FormEditorPage.tsx'),
            },
            {
              path: 'admin/rounds/forms/:code',
              lazy: () => import('../features/admin-workflow/FormEditorPage.tsx'),
            },
            { path: 'admin/rounds/:id', lazy: () => import('../features/admin-workflow/RoundPage.tsx') },
            {
              path: 'admin/methodology',
              lazy: () => import('../features/admin-workflow/MethodologiesPage.tsx'),
            },
            {
              path: 'admin/methodology/:id',
              lazy: () => import('../features/admin-workflow/MethodologyPage.tsx'),
            },
            { path: 'admin/users', lazy: () => import('../features/admin-workflow/UsersPage.tsx') },
            { path: 'admin/users/:username', lazy: () => import('../features/admin-workflow/UserPage.tsx') },
            { path: 'admin', lazy: () => import('../features/admin/AdminHome.tsx') },
            { path: 'admin/indicators', lazy: () => import('../features/admin/IndicatorsAdmin.tsx') },
            { path: 'admin/groups', lazy: () => import('../features/admin/GroupsAdmin.tsx') },
            { path: 'admin/indicators/new', lazy: () => import('../features/admin/IndicatorEdit.tsx') },
            { path: 'admin/indicators/:code', lazy: () => import('../features/admin/IndicatorEdit.tsx') },
            { path: 'admin/documents', lazy: () => import('../features/admin/DocumentsAdmin.tsx') },
            { path: 'admin/documents/new', lazy: () => import('../features/admin/DocumentEdit.tsx') },
            { path: 'admin/documents/:code', lazy: () => import('../features/admin/DocumentEdit.tsx') },
            { path: 'admin/targets', lazy: () => import('../features/admin/TargetsAdmin.tsx') },
            { path: 'admin/targets/new', lazy: () => import('../features/admin/TargetEdit.tsx') },
            { path: 'admin/targets/:id', lazy: () => import('../features/admin/TargetEdit.tsx') },
            { path: 'admin/units', lazy: () => import('../features/admin/UnitsAdmin.tsx') },
            { path: 'admin/units/new', lazy: () => import('../features/admin/UnitEdit.tsx') },
            { path: 'admin/units/:code', lazy: () => import('../features/admin/UnitEdit.tsx') },
            { path: 'admin/reorganisations', lazy: () => import('../features/admin/Reorganisations.tsx') },
            {
              path: 'admin/reorganisations/new',
              lazy: () => import('../features/admin/ReorganisationNew.tsx'),
            },
            { path: '*', lazy: () => import('./NotFound.tsx') },
          ]),
        },
      ],
    },
  ];
}

export function createRouter() {
  return createBrowserRouter(appRoutes());
}
