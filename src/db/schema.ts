// Row types of the store, one interface per table (migrations in ./migrations).
// Tables arrive with the features that own them.

export interface SettingsRow {
  key: string;
  value: string;
}

export interface Schema {
  settings: SettingsRow;
}
