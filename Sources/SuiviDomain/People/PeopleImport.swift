import Foundation

/// A resource person read from an import file, checked and ready to store.
public struct ImportedPerson: Sendable, Equatable {
    /// The row in the file (the header is row 1), for the report.
    public let row: Int
    public let name: String
    /// Canonical form (`+221…`), see `PhoneNumber`.
    public let phone: String
    public let departementCode: String
    public let organisation: String?
}

/// Why a row was left out, in French and English, with the column at fault.
public struct ImportRejection: Sendable, Equatable {
    public let row: Int
    public let field: String
    public let reason: String
    public let englishReason: String
}

public struct PeopleImportPlan: Sendable, Equatable {
    public var accepted: [ImportedPerson]
    public var rejected: [ImportRejection]
}

/// Turns the rows of an imported table (CSV or the first XLSX sheet) into
/// people to add and rows to reject. Whole-file faults (no header, a
/// required column missing, too many rows) are thrown: nothing is imported.
public enum PeopleImport {
    public static let maximumRows = 5000

    public enum Column: String, Sendable, CaseIterable {
        case name, phone, departement, organisation
    }

    /// Header names accepted for each column, folded (lower case, no accents).
    static let headerNames: [Column: Set<String>] = [
        .name: ["nom", "name", "nom complet", "prenom et nom", "nom et prenom", "prenom nom", "full name", "nom de la personne ressource"],
        .phone: ["telephone", "phone", "tel", "tel.", "numero", "numero de telephone", "phone number", "mobile", "portable", "contact"],
        .departement: ["departement", "department", "dept", "dpt"],
        .organisation: ["organisation", "organization", "opa", "organisation professionnelle", "structure", "association"],
    ]

    /// - Parameters:
    ///   - departement: the code of a département named by code or name, or nil.
    ///   - inScope: whether the caller may add people in that département.
    ///   - existingPhones: canonical phones of people already stored.
    public static func plan(rows table: [[String]], departement: (String) -> String?, inScope: (String) -> Bool,
                            existingPhones: Set<String>) throws(Problem) -> PeopleImportPlan {
        guard let header = table.first(where: { row in row.contains { !$0.trimmed.isEmpty } }),
              let headerIndex = table.firstIndex(of: header) else {
            throw Problem.unreadableImportFile("empty file")
        }
        var columns: [Column: Int] = [:]
        for (index, cell) in header.enumerated() {
            let folded = fold(cell)
            if let column = Column.allCases.first(where: { headerNames[$0]!.contains(folded) }), columns[column] == nil {
                columns[column] = index
            }
        }
        let missing = [Column.name, .phone, .departement].filter { columns[$0] == nil }
        guard missing.isEmpty else { throw Problem.missingImportColumns(missing.map(\.rawValue)) }
        let body = table.dropFirst(headerIndex + 1)
        guard body.count <= maximumRows else { throw Problem.tooManyImportRows(limit: maximumRows) }

        var plan = PeopleImportPlan(accepted: [], rejected: [])
        var firstRowOfPhone: [String: Int] = [:]
        for (offset, cells) in body.enumerated() {
            let row = headerIndex + 2 + offset
            func cell(_ column: Column) -> String {
                guard let index = columns[column], index < cells.count else { return "" }
                return cells[index].trimmed
            }
            if cells.allSatisfy({ $0.trimmed.isEmpty }) { continue }
            func reject(_ field: Column, _ french: String, _ english: String) {
                plan.rejected.append(ImportRejection(row: row, field: field.rawValue, reason: french, englishReason: english))
            }
            let name = cell(.name)
            let organisation = cell(.organisation)
            guard !name.isEmpty else {
                reject(.name, "Nom manquant.", "Name missing."); continue
            }
            guard name.count <= 200 else {
                reject(.name, "Nom trop long (200 caractères au plus).", "Name too long (200 characters at most)."); continue
            }
            guard !cell(.phone).isEmpty else {
                reject(.phone, "Téléphone manquant.", "Phone missing."); continue
            }
            guard let phone = PhoneNumber.normalise(cell(.phone)) else {
                reject(.phone, "Numéro de téléphone non valide (9 chiffres commençant par 7 ou 3, avec ou sans +221).",
                       "Invalid phone number (9 digits starting with 7 or 3, with or without +221)."); continue
            }
            guard !cell(.departement).isEmpty else {
                reject(.departement, "Département manquant.", "Département missing."); continue
            }
            guard let code = departement(cell(.departement)) else {
                reject(.departement, "Département inconnu.", "Unknown département."); continue
            }
            guard inScope(code) else {
                reject(.departement, "Ce département n'est pas dans votre région.", "This département is not in your region."); continue
            }
            guard organisation.count <= 200 else {
                reject(.organisation, "Organisation trop longue (200 caractères au plus).",
                       "Organisation too long (200 characters at most)."); continue
            }
            if let first = firstRowOfPhone[phone] {
                reject(.phone, "Même téléphone qu'à la ligne \(first) du fichier.", "Same phone as row \(first) of the file."); continue
            }
            guard !existingPhones.contains(phone) else {
                reject(.phone, "Ce téléphone est déjà celui d'une personne ressource enregistrée.",
                       "This phone already belongs to a registered resource person."); continue
            }
            firstRowOfPhone[phone] = row
            plan.accepted.append(ImportedPerson(row: row, name: name, phone: phone, departementCode: code,
                                                organisation: organisation.isEmpty ? nil : organisation))
        }
        return plan
    }

    public static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            .replacingOccurrences(of: "_", with: " ")
    }
}

fileprivate extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
