// The console's screens as addresses (`#/repositories/{uuid}`), so a reload, the back button and a shared link
// land on the same screen; the hash keeps every address inside the one page the hub serves at /console/.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { readonly screen: 'dashboard' }
  | { readonly screen: 'provider' }
  | { readonly screen: 'repositories' }
  | { readonly screen: 'add-repositories' }
  | { readonly screen: 'repository'; readonly uuid: string }
  | { readonly screen: 'events'; readonly repository?: string; readonly request?: string }
  | { readonly screen: 'models'; readonly uuid?: string; readonly path?: string; readonly q?: string };

/** The route of a location hash (`#/events?repository=…`); anything unknown is the dashboard. */
export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?', 2);
  const params = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const optional = (name: string) => params.get(name) ?? undefined;
  switch (parts[0]) {
    case 'provider':
      return { screen: 'provider' };
    case 'repositories':
      if (parts[1] === 'add') return { screen: 'add-repositories' };
      return parts[1] ? { screen: 'repository', uuid: parts[1] } : { screen: 'repositories' };
    case 'events':
      return { screen: 'events', repository: optional('repository'), request: optional('request') };
    case 'models':
      return { screen: 'models', uuid: parts[1], path: optional('path'), q: optional('q') };
    default:
      return { screen: 'dashboard' };
  }
}

/** The hash address of a route (the inverse of parseRoute). */
export function href(route: Route): string {
  const query = (params: Record<string, string | undefined>) => {
    const search = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => Boolean(entry[1]))).toString();
    return search ? `?${search}` : '';
  };
  switch (route.screen) {
    case 'dashboard':
      return '#/';
    case 'provider':
      return '#/provider';
    case 'repositories':
      return '#/repositories';
    case 'add-repositories':
      return '#/repositories/add';
    case 'repository':
      return `#/repositories/${encodeURIComponent(route.uuid)}`;
    case 'events':
      return `#/events${query({ repository: route.repository, request: route.request })}`;
    case 'models':
      return `#/models${route.uuid ? `/${encodeURIComponent(route.uuid)}` : ''}${query({ path: route.path, q: route.q })}`;
  }
}

/** Goes to a route (adds a history entry). */
export function navigate(route: Route): void {
  window.location.hash = href(route);
}

/** The current route, following the address bar. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return route;
}
