import Foundation
import SuiviBasics
import SuiviDomain
import SuiviStore

/// The leads feed's JSON, written by hand for the fixed lead shape: a page of
/// 1,000 leads through `JSONSerialization` took most of the request's time.
/// Same keys, values and (sorted) key order as `LeadHandlers.json(_:)` under
/// `JSONResponses.ok`; `LeadFeedEncodingTests` holds the two together.
extension LeadHandlers {
    /// `{"leads":[...],"next":"CURSOR"}`
    static func feedJSON(_ page: [LeadRecord], next: String) -> Data {
        var json = JSONWriter(capacity: 512 + page.count * 420)
        json.raw("{")
        json.key("leads")
        json.raw("[")
        for (index, lead) in page.enumerated() {
            if index > 0 { json.raw(",") }
            append(lead, to: &json)
        }
        json.raw("],")
        json.key("next")
        json.string(next)
        json.raw("}")
        return Data(json.bytes)
    }

    /// One lead, keys in sorted order.
    static func append(_ lead: LeadRecord, to json: inout JSONWriter) {
        json.raw("{")
        json.key("change_seq"); json.integer(lead.changeSeq); json.raw(",")
        json.key("consent_contact"); json.string(lead.consentContact); json.raw(",")
        json.key("created_at"); json.string(lead.createdAt); json.raw(",")
        json.key("departement"); json.string(lead.departementCode); json.raw(",")
        json.key("household_size"); json.integer(lead.householdSize); json.raw(",")
        json.key("id"); json.integer(lead.id); json.raw(",")
        json.key("member_number"); json.string(lead.memberNumber); json.raw(",")
        json.key("member_since"); json.string(lead.memberSince); json.raw(",")
        json.key("merged_into"); json.integer(lead.mergedInto); json.raw(",")
        json.key("name"); json.string(lead.name); json.raw(",")
        json.key("national_id"); json.string(lead.nationalID); json.raw(",")
        json.key("neighbourhood"); json.string(lead.neighbourhood); json.raw(",")
        json.key("organisation"); json.string(lead.organisation); json.raw(",")
        json.key("phone"); json.string(lead.phone); json.raw(",")
        json.key("phone_valid"); json.bool(lead.phoneValid); json.raw(",")
        json.key("sex"); json.string(lead.sex); json.raw(",")
        json.key("status"); json.string(lead.status); json.raw(",")
        json.key("trade"); json.string(lead.trade); json.raw(",")
        json.key("updated_at"); json.string(lead.updatedAt); json.raw(",")
        json.key("visit_count"); json.integer(lead.visitCount)
        json.raw("}")
    }
}
