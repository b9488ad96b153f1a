import type { MethodSetting, Stage } from '../../model/restapi.js';

/**
 * A stage's cache and method settings as the data plane reads them: built once when the stage is loaded, looked up
 * per request by resource path and method.
 */
export interface StageSettingsView {
  cacheClusterEnabled: boolean;
  /** The wildcard entry: the default per-method settings of every method of the stage. */
  all?: MethodSetting;
  /** Each method's own entry, by `{resourcePath} {HTTPMETHOD}` with the resource path unescaped ("/pets/{id} GET"). */
  methods: ReadonlyMap<string, MethodSetting>;
}

export interface EffectiveMethodSetting {
  setting: MethodSetting;
  /** True when the method has an entry of its own, false when the wildcard entry applies. */
  own: boolean;
}

export function stageSettingsView(stage: Stage): StageSettingsView {
  const methods = new Map<string, MethodSetting>();
  let all: MethodSetting | undefined;
  for (const [key, setting] of Object.entries(stage.methodSettings ?? {})) {
    if (key === '*/*') {
      all = setting;
      continue;
    }
    const slash = key.lastIndexOf('/');
    if (slash <= 0) continue;
    methods.set(`${resourcePathOf(key.slice(0, slash))} ${key.slice(slash + 1).toUpperCase()}`, setting);
  }
  const view: StageSettingsView = { cacheClusterEnabled: stage.cacheClusterEnabled, methods };
  if (all) view.all = all;
  return view;
}

/**
 * The settings that apply to a method: its own entry, else the wildcard's ("Default per-method limits and
 * individual per-method limits", AGDG api-gateway-request-throttling). `httpMethod` is the method as declared on
 * the resource (ANY for an ANY method), as the console and the keys name it.
 */
export function methodSettingFor(view: StageSettingsView, resourcePath: string, httpMethod: string): EffectiveMethodSetting | undefined {
  const own = view.methods.get(`${resourcePath} ${httpMethod}`);
  if (own) return { setting: own, own: true };
  return view.all ? { setting: view.all, own: false } : undefined;
}

/**
 * The resource path a key names: `~1pets~1{id}` (escaped, as the console and SDK write it) and `pets/{id}` (as
 * Terraform writes it) are both /pets/{id}; `~1` alone is the root.
 */
function resourcePathOf(raw: string): string {
  const path = raw.replace(/~1/g, '/').replace(/~0/g, '~');
  return path.startsWith('/') ? path : `/${path}`;
}
