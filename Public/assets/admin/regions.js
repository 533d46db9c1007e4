// Senegal's 14 regions, as migration 0002 stores them (codes never change).
export const REGIONS = [
  ["dakar", "Dakar"], ["diourbel", "Diourbel"], ["fatick", "Fatick"], ["kaffrine", "Kaffrine"],
  ["kaolack", "Kaolack"], ["kedougou", "Kédougou"], ["kolda", "Kolda"], ["louga", "Louga"], ["matam", "Matam"],
  ["saint-louis", "Saint-Louis"], ["sedhiou", "Sédhiou"], ["tambacounda", "Tambacounda"], ["thies", "Thiès"],
  ["ziguinchor", "Ziguinchor"],
];

export function regionName(code) {
  return (REGIONS.find(([value]) => value === code) || [code, code])[1];
}
