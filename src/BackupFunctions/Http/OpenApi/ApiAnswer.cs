namespace BackupFunctions.Http.OpenApi;

/// <summary>
/// One answer of a route: its status code, what it means, and its body — a type serialized with <see cref="ApiJson"/>
/// (<paramref name="Type"/>), or a stream of <paramref name="MediaType"/> when <paramref name="Type"/> is null.
/// </summary>
public sealed record ApiAnswer(int Status, string Description, Type? Type, string MediaType);
