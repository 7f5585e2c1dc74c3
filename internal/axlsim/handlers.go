package axlsim

import "github.com/ucmpush/ucmpush/internal/axl"

// handler runs one operation on the store, with the server's lock held, and returns the
// children of the response element.
type handler func(s *Server, element *node) ([]byte, error)

// handlers lists the operations the simulator implements; operationSpecs holds their
// request schemas.
var handlers = map[string]handler{
	axl.OpAddUser:    (*Server).addUser,
	axl.OpUpdateUser: (*Server).updateUser,
	axl.OpGetUser:    (*Server).getUser,
	axl.OpRemoveUser: (*Server).removeUser,
	axl.OpListUser:   (*Server).listUser,

	axl.OpAddLine:    (*Server).addLine,
	axl.OpGetLine:    (*Server).getLine,
	axl.OpUpdateLine: (*Server).updateLine,
	axl.OpRemoveLine: (*Server).removeLine,
	axl.OpListLine:   (*Server).listLine,

	axl.OpAddPhone:    (*Server).addPhone,
	axl.OpGetPhone:    (*Server).getPhone,
	axl.OpUpdatePhone: (*Server).updatePhone,
	axl.OpRemovePhone: (*Server).removePhone,
	axl.OpListPhone:   (*Server).listPhone,

	axl.OpAddDeviceProfile:    (*Server).addDeviceProfile,
	axl.OpGetDeviceProfile:    (*Server).getDeviceProfile,
	axl.OpRemoveDeviceProfile: (*Server).removeDeviceProfile,

	axl.OpAddRemoteDestinationProfile:    (*Server).addRemoteDestinationProfile,
	axl.OpGetRemoteDestinationProfile:    (*Server).getRemoteDestinationProfile,
	axl.OpRemoveRemoteDestinationProfile: (*Server).removeRemoteDestinationProfile,
	axl.OpAddRemoteDestination:           (*Server).addRemoteDestination,
	axl.OpGetRemoteDestination:           (*Server).getRemoteDestination,
	axl.OpRemoveRemoteDestination:        (*Server).removeRemoteDestination,
}
