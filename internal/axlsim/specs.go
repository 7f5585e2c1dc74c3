package axlsim

import "github.com/ucmpush/ucmpush/internal/axl"

// The specs below are the parts of the AXL 14.0 schema that the simulator models, in schema
// order. Elements the schema allows but the simulator does not model are rejected with a
// message that names them, so a client never believes UCM stored a field that the simulator
// dropped.

// xUserElements lists the children of the schema's XUser and UpdateUserReq.
var xUserElements = []string{
	"uuid", "userid", "firstName", "displayName", "middleName", "lastName", "emMaxLoginTime",
	"newUserid", "password", "pin", "mailid", "department", "manager", "userLocale",
	"associatedDevices", "primaryExtension", "associatedPc", "associatedGroups", "enableCti",
	"digestCredentials", "phoneProfiles", "defaultProfile", "presenceGroupName",
	"subscribeCallingSearchSpaceName", "enableMobility", "enableMobileVoiceAccess",
	"maxDeskPickupWaitTime", "remoteDestinationLimit", "passwordCredentials", "pinCredentials",
	"enableEmcc", "ctiControlledDeviceProfiles", "patternPrecedence", "numericUserId",
	"mlppPassword", "customUserFields", "homeCluster", "imAndPresenceEnable", "serviceProfile",
	"lineAppearanceAssociationForPresences", "directoryUri", "telephoneNumber", "title",
	"mobileNumber", "homeNumber", "pagerNumber", "removeExtensionsInfo", "addExtensionsInfo",
	"extensionsInfo", "selfService", "userProfile", "calendarPresence", "ldapDirectoryName",
	"userIdentity", "nameDialing", "ipccExtension", "ipccRoutePartition", "convertUserAccount",
	"enableUserToHostConferenceNow", "attendeesAccessCode", "zeroHop", "customerName",
	"removeAssociatedHeadsets", "addAssociatedHeadsets", "associatedHeadsets",
}

// lUserElements lists the children of the schema's LUser, the tags listUser can return.
var lUserElements = []string{
	"firstName", "middleName", "lastName", "emMaxLoginTime", "userid", "mailid", "department",
	"manager", "userLocale", "primaryExtension", "associatedPc", "enableCti",
	"subscribeCallingSearchSpaceName", "enableMobility", "enableMobileVoiceAccess",
	"maxDeskPickupWaitTime", "remoteDestinationLimit", "status", "enableEmcc",
	"patternPrecedence", "numericUserId", "mlppPassword", "homeCluster", "imAndPresenceEnable",
	"serviceProfile", "directoryUri", "telephoneNumber", "title", "mobileNumber", "homeNumber",
	"pagerNumber", "calendarPresence", "userIdentity", "customerName",
}

func text(name string) spec {
	return spec{name: name}
}

func requiredText(name string) spec {
	return spec{name: name, required: true}
}

// foreignKey is an XFkType element: a name with an optional uuid attribute.
func foreignKey(name string) spec {
	return spec{name: name, attrs: []string{"uuid"}}
}

var devicesSpec = spec{
	name:     "associatedDevices",
	children: []spec{{name: "device", repeated: true}},
}

// extensionSpec is primaryExtension in XUser and UpdateUserReq: pattern is required unless
// the element is empty.
var extensionSpec = spec{
	name:     "primaryExtension",
	optional: true,
	children: []spec{requiredText("pattern"), text("routePartitionName")},
}

// extensionTagSpec is primaryExtension in returnedTags, where both children are optional.
var extensionTagSpec = spec{
	name:     "primaryExtension",
	children: []spec{text("pattern"), text("routePartitionName")},
}

// operationSpecs holds the request schema of every operation that handlers implements.
var operationSpecs = mergeSpecs(userSpecs, lineSpecs, phoneSpecs, profileSpecs, remoteDestinationSpecs)

func mergeSpecs(groups ...map[string]spec) map[string]spec {
	merged := make(map[string]spec)
	for _, group := range groups {
		for op, s := range group {
			merged[op] = s
		}
	}

	return merged
}

// profilesSpec is phoneProfiles in XUser, UpdateUserReq and RUser.
var profilesSpec = spec{
	name:     "phoneProfiles",
	children: []spec{{name: "profileName", repeated: true, attrs: []string{"uuid"}}},
}

var userSpecs = map[string]spec{
	axl.OpAddUser: {
		name:  axl.OpAddUser,
		attrs: []string{"sequence"},
		children: []spec{{
			name:        "user",
			required:    true,
			schemaNames: xUserElements,
			children: []spec{
				text("firstName"), requiredText("lastName"), requiredText("userid"),
				text("mailid"), text("department"), devicesSpec, extensionSpec,
				text("enableCti"), profilesSpec, foreignKey("defaultProfile"),
				foreignKey("presenceGroupName"), text("enableMobility"), text("homeCluster"),
				text("imAndPresenceEnable"), text("telephoneNumber"), text("title"),
				foreignKey("ldapDirectoryName"),
			},
		}},
	},
	axl.OpUpdateUser: {
		name:        axl.OpUpdateUser,
		attrs:       []string{"sequence"},
		schemaNames: xUserElements,
		children: []spec{
			text("uuid"), text("userid"), text("firstName"), text("lastName"), text("newUserid"),
			text("mailid"), text("department"), devicesSpec, extensionSpec,
			text("enableCti"), profilesSpec, foreignKey("defaultProfile"),
			foreignKey("presenceGroupName"), text("enableMobility"), text("homeCluster"),
			text("imAndPresenceEnable"), text("telephoneNumber"), text("title"),
		},
	},
	axl.OpGetUser: {
		name:  axl.OpGetUser,
		attrs: []string{"sequence"},
		children: []spec{
			text("userid"), text("uuid"),
			{
				name:        "returnedTags",
				attrs:       []string{"uuid"},
				schemaNames: xUserElements,
				children: []spec{
					text("firstName"), text("lastName"), text("userid"), text("mailid"),
					text("department"), devicesSpec, extensionTagSpec, text("enableCti"),
					profilesSpec, foreignKey("defaultProfile"), foreignKey("presenceGroupName"),
					text("enableMobility"), text("homeCluster"), text("imAndPresenceEnable"),
					text("telephoneNumber"), text("title"), foreignKey("ldapDirectoryName"),
				},
			},
		},
	},
	axl.OpRemoveUser: {
		name:     axl.OpRemoveUser,
		attrs:    []string{"sequence"},
		children: []spec{text("userid"), text("uuid")},
	},
	axl.OpListUser: {
		name:  axl.OpListUser,
		attrs: []string{"sequence"},
		children: []spec{
			{
				name:        "searchCriteria",
				required:    true,
				schemaNames: []string{"customerName"},
				children: []spec{
					text("firstName"), text("lastName"), text("userid"), text("department"),
				},
			},
			{
				name:        "returnedTags",
				required:    true,
				attrs:       []string{"uuid"},
				schemaNames: lUserElements,
				children: []spec{
					text("firstName"), text("lastName"), text("userid"), text("mailid"),
					text("department"), extensionTagSpec, text("telephoneNumber"), text("title"),
				},
			},
			text("skip"), text("first"),
		},
	},
}

// getTags and listTags are the tags returned when a request names none, in response order.
var (
	getTags = []string{
		"firstName", "lastName", "userid", "mailid", "department", "associatedDevices",
		"primaryExtension", "enableCti", "phoneProfiles", "defaultProfile", "presenceGroupName",
		"enableMobility", "homeCluster", "imAndPresenceEnable", "telephoneNumber", "title",
		"ldapDirectoryName",
	}
	listTags = []string{
		"firstName", "lastName", "userid", "mailid", "department", "primaryExtension",
		"telephoneNumber", "title",
	}
)
