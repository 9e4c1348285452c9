namespace TokenProxy.Webhooks;

/// <summary>
/// On an options class whose section holds, next to its own settings, entries under names of the operator's choosing
/// (<c>TokenProxy:Webhooks:{name}</c> next to <c>TokenProxy:Webhooks:AllowPrivateNetworks</c>): the configuration check
/// reads every key that is not one of the class's settings as an entry of <see cref="EntryType"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class NamedEntriesAttribute(Type entryType) : Attribute
{
    public Type EntryType { get; } = entryType;
}
