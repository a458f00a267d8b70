using Microsoft.OpenApi;

namespace BackupFunctions.Http.OpenApi;

/// <summary>A query or header parameter of a route (path parameters come from the route template).</summary>
public sealed record ApiParameter(string Name, ParameterLocation In, Type Type, string Description, bool Required = false);
