namespace BackupFunctions.Http.OpenApi;

/// <summary>
/// A named example body. <see cref="Value"/> is an instance of the route's own request type, serialized with
/// <see cref="ApiJson"/> into the document, so an example can only hold fields the type has.
/// </summary>
public sealed record ApiExample(string Name, string Summary, object Value);
