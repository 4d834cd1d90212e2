/**
 * The route table. Every page is its own chunk, loaded when first visited (react-router `lazy`).
 */
import { createBrowserRouter } from 'react-router';
import { Loading } from '../components/States.tsx';
import { Root } from './Root.tsx';
import { RouteError } from './RouteError.tsx';

export function createRouter() {
  return createBrowserRouter([
    {
      path: '/',
      Component: Root,
      ErrorBoundary: RouteError,
      HydrateFallback: Loading,
      children: [
        {
          ErrorBoundary: RouteError,
          children: [
            { index: true, lazy: () => import('../features/overview/OverviewPage.tsx') },
            { path: 'indicators', lazy: () => import('../features/indicators/IndicatorsPage.tsx') },
            { path: 'indicators/:code', lazy: () => import('../features/indicators/IndicatorPage.tsx') },
            { path: 'units', lazy: () => import('../features/units/UnitsPage.tsx') },
            { path: 'units/:code', lazy: () => import('../features/units/UnitPage.tsx') },
            { path: 'documents', lazy: () => import('../features/documents/DocumentsPage.tsx') },
            { path: 'documents/:code', lazy: () => import('../features/documents/DocumentPage.tsx') },
            { path: 'data', lazy: () => import('../features/opendata/OpenDataPage.tsx') },
            { path: '*', lazy: () => import('./NotFound.tsx') },
          ],
        },
      ],
    },
  ]);
}
