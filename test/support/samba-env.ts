// The connection facts of the test run's Samba AD DC, as global setup provides them.
export interface SambaEnv {
  url: string
  ldapsUrl: string
  bindDN: string
  bindUpn: string
  password: string
  baseDN: string
  caFile: string
  servername: string
  dir: string
  script: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    samba: SambaEnv | null
    sambaWhyNot: string
  }
}
