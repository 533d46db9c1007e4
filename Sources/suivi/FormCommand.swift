import ArgumentParser
import Foundation
import SuiviDomain

/// `suivi form check FILE...`: reads each XForm as the server would at
/// start and says whether Suivi can serve it, and if not why, without a
/// database. For form authors before publishing, and to measure which
/// forms written by others Suivi accepts.
struct FormCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "form", abstract: "Work with XForms.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check XForm files; prints one line per file and exits 1 if any is refused.")
        @Argument(help: "XForm files (.xml).") var files: [String]

        func run() async throws {
            var refused = 0
            for file in files {
                do {
                    let definition = try XFormParser.parse(try Data(contentsOf: URL(fileURLWithPath: file)))
                    print("accepté / accepted\t\(file)\t\(definition.formID)\t\(definition.version)\t\(definition.fields.count) fields")
                    for warning in definition.warnings {
                        print("  avertissement / warning\t\(warning)")
                    }
                } catch {
                    refused += 1
                    let reason = "\(error)".replacingOccurrences(of: "\n", with: " ")
                    print("refusé / refused\t\(file)\t\(reason)")
                }
            }
            print("\(files.count - refused) accepted, \(refused) refused")
            if refused > 0 { throw ExitCode(1) }
        }
    }
}
