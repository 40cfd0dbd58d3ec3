export const narrative = `TODO`;
