import ArgumentParser
import Foundation
import SuiviAdmin
import SuiviDomain

/// `suivi form check FILE...`: reads each XForm as the server would at
/// start and says whether Suivi can serve it, and if not why, without a
/// database. For form authors before publishing, and to measure which
/// forms written by others Suivi accepts.
/// `suivi form publish` and `suivi form list`: forms in the database.
struct FormCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "form", abstract: "Work with forms.", subcommands: [Check.self, Publish.self, List.self])

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish an XLSForm or XForm (a new form or a new version) with its media files, in one step.")
        @Option var db: String
        @Option(parsing: .upToNextOption, help: "Media and data files of the form (images, audio, CSV, XML).")
        var media: [String] = []
        @Argument(help: "The XLSForm (.xlsx, .xls) or XForm (.xml).") var file: String

        func run() async throws {
            do {
                let published = try await Administration(databasePath: db).publishForm(file: file, media: media)
                for warning in published.warnings {
                    print("avertissement / warning\t\(warning)")
                }
                print("publié / published\t\(published.formID)\t\(published.version)\t\(published.mediaCount) media")
            } catch let problem as Problem {
                FileHandle.standardError.write(Data("suivi: \(problem.message) / \(problem.englishMessage) \(problem.detail ?? "")\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List forms: id, version, state, records, draft.")
        @Option var db: String

        func run() async throws {
            print("form_id\tversion\tstate\trecords\tdraft\ttitle")
            for form in try Administration(databasePath: db).formListing() {
                print("\(form.formID)\t\(form.version)\t\(form.state)\t\(form.records)\t\(form.hasDraft ? "yes" : "no")\t\(form.title)")
            }
        }
    }

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
