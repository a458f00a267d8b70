namespace BackupFunctions.Http.OpenApi;

/// <summary>
/// The JSON body a route reads (<see cref="JsonBody"/>): its type, whether it may be left out (an empty body means the
/// defaults), and examples of it.
/// </summary>
public sealed record ApiRequestBody(Type Type, bool Required, IReadOnlyList<ApiExample> Examples);
